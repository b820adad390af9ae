// The BashOutput tool's description for the model.
export const bashOutputDescription = `Reads the output a background Bash command (started with run_in_background) produced since the last BashOutput call for it, and tells whether it is still running or exited (with its exit code).

- \`filter\`: a regular expression; only matching new lines are shown (non-matching lines are still consumed).
- Output is bounded; a command that printed a lot since the last read shows its latest output.`;
