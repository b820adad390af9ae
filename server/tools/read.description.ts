// The Read tool's description for the model.
export const readDescription = `Reads a file from the workspace and returns it with line numbers (like \`cat -n\`).

- file_path: absolute under /workspace (e.g. /workspace/src/index.ts) or relative to /workspace.
- By default up to 2000 lines from the start. For long files pass \`offset\` (1-based line number to start at) and \`limit\` (number of lines).
- Lines longer than 2000 characters are cut.
- Images (PNG, JPEG, GIF, WebP up to 5 MB) are shown to you as images; PDFs are returned as their text, page by page, when it can be extracted.
- Other binary files are described (size and type), not shown.
- Read a file before editing or overwriting it with Edit or Write; those refuse files not read in this session or changed since.
- To list a directory use Bash (\`ls\`).`;
