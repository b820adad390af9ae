// Skill: loads a skill's instructions (SKILL.md body) on demand, or one of the skill's files.
import { z } from "zod";
import { defaultServerSkillsDir, loadSkillBody, loadSkills, skillRoots } from "../agent/skills";
import { readUnderRoot } from "../agent/markdown-definitions";
import { defineTool, ToolError } from "./tool";
import { truncateOutput } from "./truncate";

const description = `Load a skill: instructions (and helper files) for a kind of task, listed by name and description in the <skills> note of the first message.
Call it with {"skill": "<name>"} when the task matches a skill's description, before doing the work; follow the instructions it returns.
To read one of the skill's files, pass {"skill": "<name>", "file": "<relative path>"}.`;

export const createSkillTool = (options: { serverSkillsDir?: () => string } = {}) =>
  defineTool({
    name: "Skill",
    description,
    inputSchema: z.strictObject({
      skill: z.string().min(1).describe("The skill's name"),
      file: z.string().min(1).optional().describe("A file of the skill, relative to its folder"),
    }),
    readOnly: true,
    permissionKey: (input) => input.skill,
    run: async (input, context) => {
      const roots = skillRoots(context.sandbox.hostWorkspaceDir, (options.serverSkillsDir ?? defaultServerSkillsDir)());
      const { skills } = await loadSkills(roots);
      const skill = skills.find((candidate) => candidate.name === input.skill);
      if (!skill) {
        const known = skills.map((candidate) => candidate.name).join(", ") || "none";
        throw new ToolError(`Unknown skill "${input.skill}". Available skills: ${known}.`);
      }
      if (input.file) {
        const relative = input.file.replace(/^\.?\//, "");
        if (relative.split("/").includes("..")) throw new ToolError("The file must be inside the skill's folder.");
        const text = await readUnderRoot(skill.root, `${skill.folder}/${relative}`).catch((error: Error) => {
          throw new ToolError(`Cannot read ${relative} of skill ${skill.name}: ${error.message}`);
        });
        const bounded = truncateOutput(text, context.limits.maxOutputChars);
        return { output: bounded.text, isError: false, metadata: { skill: skill.name, file: relative } };
      }
      const loaded = await loadSkillBody(skill, context.sandbox.workdir);
      const files = loaded.files.length
        ? `\n\n<skill-files location="${loaded.location}">\n${loaded.files.join("\n")}\n</skill-files>\nRead one with the Skill tool's "file" parameter.`
        : "";
      const output = `<skill name="${skill.name}">\n${loaded.body}\n</skill>${files}`;
      return { output: truncateOutput(output, context.limits.maxOutputChars).text, isError: false, metadata: { skill: skill.name, files: loaded.files.length } };
    },
  });

export const skillTool = createSkillTool();
