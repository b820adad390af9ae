// The Grep tool's description for the model.
export const grepDescription = `Searches file contents with ripgrep (regular expressions, Rust syntax: escape literal braces, e.g. "interface\\{\\}").

- output_mode "files_with_matches" (default) lists matching files, most recently modified first; "content" shows matching lines as path:line:text (use -A/-B/-C for context, -n for line numbers); "count" shows matches per file.
- Narrow with \`path\` (a directory or file under /workspace), \`glob\` (e.g. "*.ts", "**/*.{ts,tsx}") or \`type\` (e.g. "py", "js", "rust").
- \`-i\` ignores case; \`multiline\` lets a pattern span lines.
- Files ignored by .gitignore, the .git directory and binary files are skipped.
- Results are limited by head_limit (default 250 lines or files). Always use this tool instead of grep or rg in Bash.`;
