// Skills: SKILL.md folders with a name and a description in the frontmatter. Only the list (names
// and descriptions) goes into the first user turn; a body is loaded when the Skill tool asks for it.
import path from "node:path";
import { z } from "zod";
import { env, repoRoot } from "../env";
import { displayPath, listFilesUnder, listRoot, parseFrontmatter, readUnderRoot, type DefinitionProblem, type FolderRoot } from "./markdown-definitions";

export const WORKSPACE_SKILL_DIRS = [".pincer/skills", ".claude/skills"] as const;

/** The server's own skills: PINCER_SKILLS_DIR, else <repo>/skills. */
export const defaultServerSkillsDir = () => path.resolve(repoRoot, env.PINCER_SKILLS_DIR ?? "skills");

const skillFrontmatter = z.looseObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "letters, digits, '-', '_', '.', ':' (at most 64)"),
  description: z.string().min(1).max(1024),
});

export type Skill = {
  name: string;
  description: string;
  /** Where SKILL.md is, for messages. */
  path: string;
  root: FolderRoot;
  /** The skill's folder below its root. */
  folder: string;
};

export type SkillCatalog = { skills: Skill[]; problems: DefinitionProblem[] };

export const skillRoots = (workspaceDir: string, serverSkillsDir = defaultServerSkillsDir()): FolderRoot[] => [
  ...WORKSPACE_SKILL_DIRS.map((dir): FolderRoot => ({ scope: "workspace", workspaceDir, dir })),
  { scope: "server", dir: serverSkillsDir },
];

/** Every skill the session can use; malformed ones are reported and skipped, the first of a name wins. */
export const loadSkills = async (roots: FolderRoot[]): Promise<SkillCatalog> => {
  const skills: Skill[] = [];
  const problems: DefinitionProblem[] = [];
  for (const root of roots) {
    for (const entry of await listRoot(root)) {
      if (!entry.isDirectory) continue;
      const file = `${entry.name}/SKILL.md`;
      const where = displayPath(root, file);
      const text = await readUnderRoot(root, file).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? null : error));
      if (text === null) continue;
      if (text instanceof Error) {
        problems.push({ path: where, message: text.message });
        continue;
      }
      const parsed = parseSkillFile(text);
      if (!parsed.ok) {
        problems.push({ path: where, message: parsed.error });
        continue;
      }
      if (skills.some((skill) => skill.name === parsed.name)) continue;
      skills.push({ name: parsed.name, description: parsed.description, path: where, root, folder: entry.name });
    }
  }
  return { skills, problems };
};

const parseSkillFile = (text: string): { ok: true; name: string; description: string; body: string } | { ok: false; error: string } => {
  const frontmatter = (() => {
    try {
      return parseFrontmatter(text);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  if (frontmatter instanceof Error) return { ok: false, error: `malformed frontmatter: ${frontmatter.message}` };
  const fields = skillFrontmatter.safeParse(frontmatter.data);
  if (!fields.success) {
    const issues = fields.error.issues.map((issue) => `${issue.path.join(".") || "frontmatter"}: ${issue.message}`).join("; ");
    return { ok: false, error: `malformed frontmatter (${issues})` };
  }
  return { ok: true, name: fields.data.name, description: fields.data.description.trim(), body: frontmatter.body.trim() };
};

/** The Skill tool's answer: the body, then the skill's other files (read on demand with Read). */
export const loadSkillBody = async (skill: Skill, sandboxWorkdir = "/workspace"): Promise<{ body: string; files: string[]; location: string }> => {
  const text = await readUnderRoot(skill.root, `${skill.folder}/SKILL.md`);
  const parsed = parseSkillFile(text);
  if (!parsed.ok) throw new Error(`${skill.path}: ${parsed.error}`);
  const files = (await listFilesUnder(skill.root, skill.folder)).filter((file) => file !== "SKILL.md");
  const location = skill.root.scope === "workspace" ? `${sandboxWorkdir}/${skill.root.dir}/${skill.folder}` : `(server skill folder ${skill.folder})`;
  return { body: parsed.body, files, location };
};

/** The first-turn note listing the skills (names and descriptions only) and skipped files. */
export const skillsContext = (catalog: SkillCatalog): string => {
  if (catalog.skills.length === 0 && catalog.problems.length === 0) return "";
  const lines = ["<skills>", "Skills you can load with the Skill tool when a task matches one (the body has the instructions):"];
  for (const skill of catalog.skills) lines.push(`- ${skill.name}: ${skill.description}`);
  if (catalog.skills.length === 0) lines.push("(none)");
  for (const problem of catalog.problems) lines.push(`Skipped ${problem.path}: ${problem.message}`);
  lines.push("</skills>");
  return lines.join("\n");
};
