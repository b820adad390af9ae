// Slash commands typed in the composer: built-ins that act on the session (/clear, /model, ...) or
// answer with a notice (/cost, /skills, ...), and custom ones from .pincer/commands/*.md and
// .claude/commands/*.md whose expanded text becomes the user's message.
import { loadMarkdownFiles, type FolderRoot, type MarkdownDefinition } from "./markdown-definitions";
import { loadSkills, skillRoots } from "./skills";
import type { SessionEvent } from "./events";

export const WORKSPACE_COMMAND_DIRS = [".pincer/commands", ".claude/commands"] as const;
export const WORKSPACE_AGENT_DIRS = [".pincer/agents", ".claude/agents"] as const;

export type SlashCommand = { name: string; args: string };

/** `/name args` (the name has no slash of its own, so a path like /usr/bin is not a command). */
export const parseSlashCommand = (text: string): SlashCommand | null => {
  const match = /^\/([A-Za-z0-9][A-Za-z0-9_.:-]*)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return null;
  return { name: match[1].toLowerCase(), args: (match[2] ?? "").trim() };
};

export type CommandEnv = {
  workspaceDir: string;
  events: () => Promise<SessionEvent[]>;
  notice: (text: string, tone?: "info" | "error") => Promise<void>;
  /** Starts a fresh conversation (the log keeps the old one). */
  clear: () => Promise<void>;
  currentModel: () => Promise<string | null>;
  setModel: (model: string) => Promise<void>;
  /** Absent when compaction is not available on this server. */
  compact?: (focus?: string) => Promise<unknown>;
  /** The effective permission rules, already formatted. */
  describePermissions: () => Promise<string>;
  serverSkillsDir?: string;
};

/** handled: nothing more to do; prompt: send this text to the model as the user's message. */
export type CommandOutcome = { kind: "handled" } | { kind: "prompt"; text: string; command: string };

type Builtin = { description: string; usage?: string; run: (args: string, env: CommandEnv) => Promise<CommandOutcome> };

const handled: CommandOutcome = { kind: "handled" };

const workspaceRoots = (workspaceDir: string, dirs: readonly string[]): FolderRoot[] => dirs.map((dir) => ({ scope: "workspace", workspaceDir, dir }));

export const loadCustomCommands = (workspaceDir: string) => loadMarkdownFiles(workspaceRoots(workspaceDir, WORKSPACE_COMMAND_DIRS));
export const loadAgentDefinitions = (workspaceDir: string) => loadMarkdownFiles(workspaceRoots(workspaceDir, WORKSPACE_AGENT_DIRS));

const describeOf = (definition: MarkdownDefinition) => {
  const description = definition.frontmatter.description;
  if (typeof description === "string" && description.trim()) return description.trim();
  return definition.body.trim().split("\n")[0]?.slice(0, 100) ?? "";
};

const formatTokens = (n: number) => n.toLocaleString("en-US");

const builtins: Record<string, Builtin> = {
  help: {
    description: "List the slash commands",
    run: async (_args, env) => {
      await env.notice(await availableCommandsText(env.workspaceDir));
      return handled;
    },
  },
  clear: {
    description: "Start a fresh conversation (the history stays in the log)",
    run: async (_args, env) => {
      await env.clear();
      await env.notice("Conversation cleared: the model starts fresh from the next message.");
      return handled;
    },
  },
  compact: {
    description: "Summarise the conversation so far to free context",
    usage: "[focus]",
    run: async (args, env) => {
      if (!env.compact) {
        await env.notice("Compaction is not available on this server.", "error");
        return handled;
      }
      await env.compact(args || undefined);
      return handled;
    },
  },
  model: {
    description: "Show or switch the session's model",
    usage: "[name]",
    run: async (args, env) => {
      const current = await env.currentModel();
      if (!args) {
        await env.notice(`Model: ${current ?? "the provider's default"}. Switch with /model <name>.`);
        return handled;
      }
      if (!/^[\w.:/@-]{1,200}$/.test(args)) {
        await env.notice(`"${args}" is not a model name.`, "error");
        return handled;
      }
      await env.setModel(args);
      await env.notice(`Model switched to ${args}${current ? ` (was ${current})` : ""}; it answers from the next message on.`);
      return handled;
    },
  },
  cost: {
    description: "Tokens and cost of the session so far",
    run: async (_args, env) => {
      const turns = (await env.events()).filter((event) => event.type === "turn_finished");
      const total = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, cost: 0, unpriced: 0 };
      for (const turn of turns) {
        const { usage, costUsd } = turn.payload;
        total.input += usage.inputTokens;
        total.cacheRead += usage.cacheReadTokens;
        total.cacheWrite += usage.cacheWriteTokens;
        total.output += usage.outputTokens;
        if (typeof costUsd === "number") total.cost += costUsd;
        else total.unpriced += 1;
      }
      const cost = `$${total.cost.toFixed(4)}${total.unpriced ? ` (${total.unpriced} turn(s) with an unknown price not counted)` : ""}`;
      await env.notice(
        [
          `Turns: ${turns.length}`,
          `Input tokens: ${formatTokens(total.input)} (cache read ${formatTokens(total.cacheRead)}, cache write ${formatTokens(total.cacheWrite)})`,
          `Output tokens: ${formatTokens(total.output)}`,
          `Cost: ${cost}`,
        ].join("\n"),
      );
      return handled;
    },
  },
  permissions: {
    description: "The effective permission rules and where they come from",
    run: async (_args, env) => {
      await env.notice(await env.describePermissions());
      return handled;
    },
  },
  skills: {
    description: "List the skills the agent can load",
    run: async (_args, env) => {
      const catalog = await loadSkills(skillRoots(env.workspaceDir, env.serverSkillsDir));
      const lines = catalog.skills.length
        ? ["Skills:", ...catalog.skills.map((skill) => `- ${skill.name}: ${skill.description} (${skill.path})`)]
        : ["No skills. Add .pincer/skills/<name>/SKILL.md with name and description frontmatter."];
      for (const problem of catalog.problems) lines.push(`Skipped ${problem.path}: ${problem.message}`);
      await env.notice(lines.join("\n"), catalog.problems.length ? "error" : "info");
      return handled;
    },
  },
  agents: {
    description: "List the agent definitions (.pincer/agents, .claude/agents)",
    run: async (_args, env) => {
      const { definitions, problems } = await loadAgentDefinitions(env.workspaceDir);
      const lines = definitions.length
        ? ["Agents:", ...definitions.map((agent) => `- ${typeof agent.frontmatter.name === "string" ? agent.frontmatter.name : agent.name}: ${describeOf(agent)} (${agent.origin.path})`)]
        : ["No agent definitions. Add .pincer/agents/<name>.md with name, description, tools and model frontmatter."];
      for (const problem of problems) lines.push(`Skipped ${problem.path}: ${problem.message}`);
      await env.notice(lines.join("\n"), problems.length ? "error" : "info");
      return handled;
    },
  },
};

/** The help text: built-ins, then the workspace's custom commands. */
export const availableCommandsText = async (workspaceDir: string): Promise<string> => {
  const { definitions, problems } = await loadCustomCommands(workspaceDir);
  const lines = ["Commands:"];
  for (const [name, builtin] of Object.entries(builtins)) lines.push(`- /${name}${builtin.usage ? ` ${builtin.usage}` : ""}: ${builtin.description}`);
  for (const custom of definitions) {
    if (builtins[custom.name.toLowerCase()]) continue;
    const hint = typeof custom.frontmatter["argument-hint"] === "string" ? ` ${custom.frontmatter["argument-hint"]}` : "";
    lines.push(`- /${custom.name}${hint}: ${describeOf(custom)} (${custom.origin.path})`);
  }
  for (const problem of problems) lines.push(`Skipped ${problem.path}: ${problem.message}`);
  return lines.join("\n");
};

/** $ARGUMENTS becomes the whole argument string, $1..$9 its words; unused arguments are appended. */
export const expandCommandBody = (body: string, args: string): string => {
  const words = args.split(/\s+/).filter(Boolean);
  const usesArguments = /\$ARGUMENTS|\$[1-9]/.test(body);
  const expanded = body.replace(/\$ARGUMENTS/g, args).replace(/\$([1-9])/g, (_match, index: string) => words[Number(index) - 1] ?? "");
  const text = expanded.trim();
  return !usesArguments && args ? `${text}\n\nARGUMENTS: ${args}` : text;
};

export const runSlashCommand = async (command: SlashCommand, env: CommandEnv): Promise<CommandOutcome> => {
  const builtin = builtins[command.name];
  if (builtin) return builtin.run(command.args, env);
  const { definitions } = await loadCustomCommands(env.workspaceDir);
  const custom = definitions.find((definition) => definition.name.toLowerCase() === command.name);
  if (custom) return { kind: "prompt", text: expandCommandBody(custom.body, command.args), command: custom.name };
  await env.notice(`Unknown command /${command.name}.\n${await availableCommandsText(env.workspaceDir)}`, "error");
  return handled;
};
