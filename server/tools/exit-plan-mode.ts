// ExitPlanMode: in plan mode the agent presents its plan; approving the call (the permission card
// shows the plan) switches the session back to the default mode so the agent can carry it out.
import { z } from "zod";
import { defineTool, ToolError } from "./tool";

const description = `Use this when you are in plan mode and have finished planning: present the plan (Markdown,
concise, the steps you will take and the files you will change). The user approves or rejects it;
once approved you leave plan mode and may start making changes. Only use it for tasks that need
code changes, not for research.`;

export const exitPlanModeTool = defineTool({
  name: "ExitPlanMode",
  description,
  inputSchema: z.object({ plan: z.string().trim().min(1).max(50_000).describe("The plan to present for approval, in Markdown") }),
  readOnly: true,
  permissionKey: () => "exit-plan-mode",
  run: async (_input, context) => {
    if (!context.people) throw new ToolError("There is no plan mode to leave in this run.");
    await context.people.exitPlanMode();
    return { output: "The user approved the plan. You are out of plan mode: carry it out now.", isError: false };
  },
});
