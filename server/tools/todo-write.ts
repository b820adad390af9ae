// TodoWrite: the model's task checklist for the session. The whole list is replaced on each call;
// it lives in the session's tool state and goes out in metadata so the UI can render it live.
import { z } from "zod";
import { sessionToolState, type TodoItem } from "./session-state";
import { todoWriteDescription } from "./todo-write.description";
import { defineTool, ToolError } from "./tool";

const MAX_TODOS = 100;

export const todoWriteTool = defineTool({
  name: "TodoWrite",
  description: todoWriteDescription,
  inputSchema: z.object({
    todos: z
      .array(
        z.object({
          content: z.string().trim().min(1).max(500).describe('The task, in the imperative: "Run the tests"'),
          status: z.enum(["pending", "in_progress", "completed"]).describe("pending, in_progress (one at a time) or completed"),
          activeForm: z.string().max(500).optional().describe('The task in the present continuous, shown while it runs: "Running the tests"'),
        }),
      )
      .max(MAX_TODOS)
      .describe("The complete, updated todo list (it replaces the previous one)"),
  }),
  readOnly: true,
  permissionKey: () => "todos",
  run: async (input, context) => {
    const todos: TodoItem[] = input.todos.map((todo) => ({
      content: todo.content,
      status: todo.status,
      ...(todo.activeForm ? { activeForm: todo.activeForm } : {}),
    }));
    const seen = new Set<string>();
    for (const todo of todos) {
      if (seen.has(todo.content)) throw new ToolError(`The todo "${todo.content}" appears twice; each task must be listed once.`);
      seen.add(todo.content);
    }
    const state = sessionToolState(context);
    const previous = state.todos;
    state.todos = todos;
    const count = (status: TodoItem["status"]) => todos.filter((todo) => todo.status === status).length;
    const inProgress = count("in_progress");
    const summary =
      todos.length === 0
        ? "Todo list cleared."
        : `Todo list updated: ${count("completed")} completed, ${inProgress} in progress, ${count("pending")} pending.`;
    const hint = inProgress > 1 ? " Keep just one task in_progress at a time." : " Keep it current as you work: mark tasks completed as soon as they are done.";
    return {
      output: summary + hint,
      isError: false,
      metadata: { todos, previousCount: previous.length },
    };
  },
});
