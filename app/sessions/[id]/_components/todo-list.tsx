"use client";
// The agent's live checklist (its latest TodoWrite), pinned above the composer.
import type { TodoItem } from "./transcript";

const mark: Record<TodoItem["status"], string> = { pending: "○", in_progress: "◐", completed: "●" };

export function TodoList({ todos }: { todos: TodoItem[] }) {
  if (todos.length === 0) return null;
  const done = todos.filter((todo) => todo.status === "completed").length;
  return (
    <details open data-testid="todo-list" className="border-t border-border px-4 py-2 text-xs">
      <summary className="cursor-pointer select-none text-muted-foreground">
        Tasks {done}/{todos.length}
      </summary>
      <ul className="mt-1 space-y-0.5">
        {todos.map((todo) => (
          <li key={todo.content} data-testid="todo-item" data-status={todo.status} className={todo.status === "completed" ? "text-muted-foreground line-through" : todo.status === "in_progress" ? "text-info" : ""}>
            {mark[todo.status]} {todo.status === "in_progress" && todo.activeForm ? todo.activeForm : todo.content}
          </li>
        ))}
      </ul>
    </details>
  );
}
