import { describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { sessionToolState } from "./session-state";
import { todoWriteTool } from "./todo-write";

describe("TodoWrite tool", () => {
  it("replaces the list, summarises it and puts it in metadata", async () => {
    const { context } = await makeFileToolContext();
    const todos = [
      { content: "Write the parser", status: "completed" as const },
      { content: "Test the parser", status: "in_progress" as const, activeForm: "Testing the parser" },
      { content: "Document it", status: "pending" as const },
    ];
    const result = await todoWriteTool.run({ todos }, context);
    expect(result.output).toMatch(/^Todo list updated: 1 completed, 1 in progress, 1 pending\./);
    expect(result.metadata).toMatchObject({ todos, previousCount: 0 });
    expect(sessionToolState(context).todos).toEqual(todos);
    const cleared = await todoWriteTool.run({ todos: [] }, context);
    expect(cleared.output).toMatch(/^Todo list cleared\./);
    expect(cleared.metadata).toMatchObject({ todos: [], previousCount: 3 });
  });

  it("validates statuses and rejects duplicates", async () => {
    const { context } = await makeFileToolContext();
    expect(todoWriteTool.inputSchema.safeParse({ todos: [{ content: "x", status: "done" }] }).success).toBe(false);
    expect(todoWriteTool.inputSchema.safeParse({ todos: [{ content: "  ", status: "pending" }] }).success).toBe(false);
    await expect(
      todoWriteTool.run({ todos: [{ content: "a", status: "pending" }, { content: "a", status: "completed" }] }, context),
    ).rejects.toThrow(/appears twice/);
    const two = await todoWriteTool.run({ todos: [{ content: "a", status: "in_progress" }, { content: "b", status: "in_progress" }] }, context);
    expect(two.output).toMatch(/just one task in_progress/);
  });
});
