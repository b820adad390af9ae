// The system prompt is the same for every request of a session (it is the cached prefix): no
// dates, ids or workspace facts here. Those go into the first user turn (environmentContext).
import type { Sandbox } from "../sandbox/sandbox";
import { loadSkills, skillRoots, skillsContext } from "./skills";

export const systemPrompt = `You are Pincer, a coding agent working in a sandboxed Linux container on the user's repository.
The workspace is the git repository at /workspace. Use the tools to inspect, change and test code.

How to work:
- Read files before editing them; make focused edits with the Edit tool rather than rewriting whole files.
- Run commands with the Bash tool; the working directory persists between calls.
- Keep the user informed with short, concrete messages; use Markdown and fenced code blocks.
- When the task is done, say what you changed and how you checked it, then stop.
- Never try to leave the sandbox or reach the network unless the user allows it.`;

const instructionFiles = ["AGENTS.md", "CLAUDE.md", ".pincer/instructions.md"];
const maxInstructionChars = 20_000;

/** The environment note for the first user turn: OS, git state and project instructions. */
export const environmentContext = async (sandbox: Sandbox): Promise<string> => {
  const script = [
    "echo \"os: $(. /etc/os-release 2>/dev/null && echo $PRETTY_NAME)\"",
    "echo \"cwd: $PWD\"",
    "echo \"git branch: $(git branch --show-current 2>/dev/null)\"",
    "echo 'git status:'; git status --short 2>/dev/null | head -50",
    ...instructionFiles.map(
      (file) => `if [ -f ${file} ]; then echo '<instructions file="${file}">'; head -c ${maxInstructionChars} ${file}; echo; echo '</instructions>'; fi`,
    ),
  ].join("; ");
  const result = await sandbox.exec({ cmd: ["bash", "-c", script], cwd: sandbox.workdir, timeoutMs: 15_000 });
  // Skills: names and descriptions only (bodies load through the Skill tool), so the list sits
  // here, in the first user turn, and the cached prefix stays the same.
  const skills = skillsContext(await loadSkills(skillRoots(sandbox.hostWorkspaceDir)));
  return `<environment>\n${result.stdout.toString("utf8").trim()}\n</environment>${skills ? `\n${skills}` : ""}`;
};
