// The MultiEdit tool's description for the model.
export const multiEditDescription = `Makes several exact-string edits to one workspace file in a single call. Prefer it over several Edit calls on the same file.

- Read the file first in this session; the call fails if the file changed since you read it.
- \`edits\` are applied in order, each to the result of the previous one (plan them so an earlier edit does not break a later one's old_string).
- Each edit follows Edit's rules: old_string must match exactly (whitespace included, no line-number prefix) and occur once unless replace_all is true; new_string must differ.
- All or nothing: if any edit fails, the file is left unchanged and the error names the failing edit.
- To create a file, give a first edit with an empty old_string and the content as new_string.`;
