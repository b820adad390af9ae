export const taskDescription = `Start a subagent: a separate agent with a fresh context that works in the same sandbox (same files, its own shell) on a task you describe, and returns only its final report.

When to use it:
- Independent pieces of work that would fill your context: a broad search of a large codebase, researching how something is used across many files, or running and analysing a long test suite.
- Several independent tasks at once: send several Task calls in one reply and they run in parallel.

How to use it:
- The subagent sees nothing of this conversation. Write a complete, self-contained prompt: the goal, the relevant paths and facts, what to return, and whether it may change files.
- Its final message is the only thing you get back; ask it to report concisely what it found or changed.
- subagent_type selects an agent defined in .pincer/agents/*.md or .claude/agents/*.md of the workspace (its own instructions, tools and model); leave it out for a general-purpose agent with your tools.
- Subagents that write files at the same time must work on different files.`;
