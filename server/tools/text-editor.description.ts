// The description of str_replace_based_edit_tool (Anthropic's text-editor contract) for the model.
export const textEditorDescription = `Views, creates and edits files in the workspace (Anthropic's text editor tool). Paths must be absolute, under /workspace.

Commands:
- view: a file with line numbers (\`cat -n\` style); \`view_range\` [first, last] shows part of it (last -1 = to the end). A directory lists its files up to 2 levels deep, hidden items excluded.
- create: writes \`file_text\` to a new file (missing parent directories are created). It refuses to overwrite an existing file.
- str_replace: replaces \`old_str\` with \`new_str\`. \`old_str\` must match exactly one place in the file, whitespace included; add surrounding lines to make it unique. An empty or missing \`new_str\` deletes the text.
- insert: inserts \`new_str\` after line \`insert_line\` (0 = at the top of the file).
- undo_edit: reverts the last edit this tool made to the file (repeatable).

Files keep their tabs and line endings. Output is bounded; view large files in ranges.`;
