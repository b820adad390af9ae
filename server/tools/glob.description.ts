// The Glob tool's description for the model.
export const globDescription = `Finds files by name pattern, e.g. "**/*.ts", "src/**/*.{js,jsx}" or "*.md" (top level only). Returns absolute paths, most recently modified first, at most 100.

- \`path\`: the directory to search (absolute under /workspace or relative to it); default /workspace.
- Files ignored by .gitignore and the .git directory are skipped; other hidden files are included.
- Use Grep to search file contents; use it and Glob rather than find or ls in Bash.`;
