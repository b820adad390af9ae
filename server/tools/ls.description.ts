// The LS tool's description for the model.
export const lsDescription = `Lists a workspace directory as a tree (directories first, then files), up to 500 entries.

- \`path\`: absolute under /workspace or relative to it.
- \`ignore\`: glob patterns of names or relative paths to leave out.
- Symbolic links are marked with @ and not followed; node_modules, .git, build output and similar directories are shown but not expanded.
- To find files by pattern prefer Glob; to search contents use Grep.`;
