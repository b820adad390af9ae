// The TodoWrite tool's description for the model.
export const todoWriteDescription = `Creates and updates a todo list for the current task; the user sees it as a live checklist.

Use it for work with three or more steps, or when the user gives several tasks: write the plan as todos, mark one \`in_progress\` before starting it, and mark it \`completed\` as soon as it is done (not in batches). Skip it for a single small task.

- Each call sends the complete list; it replaces the previous one.
- status: pending, in_progress (only one at a time) or completed. Mark a task completed only when it is fully done (tests pass, nothing left); otherwise keep it in_progress and add a todo for what blocks it.
- content says the task in the imperative ("Fix the login test"); activeForm in the present continuous ("Fixing the login test").`;
