// The Write tool's description for the model.
export const writeDescription = `Writes a file in the workspace, replacing it if it exists.

- file_path: absolute under /workspace or relative to /workspace. Missing parent directories are created.
- Overwriting an existing file requires that you Read it first in this session and that it has not changed since; otherwise the call fails.
- Prefer Edit for changing part of an existing file; use Write for new files or complete rewrites.`;
