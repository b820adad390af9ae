// The KillShell tool's description for the model.
export const killShellDescription = `Stops a background shell started by Bash with run_in_background, with every process it started. Give its id as \`shell_id\`. Its output so far can still be read with BashOutput.`;
