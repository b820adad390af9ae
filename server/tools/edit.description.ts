// The Edit tool's description for the model.
export const editDescription = `Replaces text in a workspace file: old_string becomes new_string.

- Read the file first in this session; the edit fails if the file changed since you read it.
- old_string must match the file exactly (whitespace and indentation included; do not include the line-number prefix from Read).
- old_string must occur exactly once, unless replace_all is true. If it occurs several times, include more surrounding lines to make it unique, or set replace_all to change every occurrence (useful for renaming).
- new_string must differ from old_string.
- An empty old_string creates the file with new_string as its content when the file does not exist (or is empty).`;
