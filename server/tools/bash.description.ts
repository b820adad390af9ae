// The Bash tool's description for the model.
export const bashDescription = `Runs a bash command in the session's sandbox (a Linux container) and returns its combined stdout and stderr.

- The workspace is /workspace; it is a git repository. The working directory persists between calls: \`cd\` in one call carries over to the next.
- The sandbox has no network access unless the user enabled it.
- Default timeout is 120000 ms (2 minutes); pass \`timeout\` (milliseconds, at most 600000) for longer commands. On timeout the command and every process it started are killed.
- Output is bounded: very long output keeps its beginning and end with a note of what was cut. Binary output is described, not shown. Pipe through \`head\`, \`tail\` or \`grep\` when you expect a lot of output.
- A non-zero exit code is reported at the end of the output.
- Commands run non-interactively: stdin is closed, so anything waiting for input ends at once. Pass flags such as \`-y\` or \`--no-edit\`.
- Prefer the Read, Write and Edit tools for files, and rg (ripgrep) over grep -r for searching.
- Write a short \`description\` (5-10 words) of what the command does, for the user.
- For long-running processes (dev servers, watchers, long builds) set \`run_in_background: true\`: the call returns at once with a shell id; read new output with BashOutput and stop it with KillShell. A background command starts in the current directory; its \`cd\` does not carry over.
- Processes started with a plain \`cmd &\` keep running but their later output is not captured; prefer run_in_background.`;
