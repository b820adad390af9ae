// Leaving the sandbox with a model-drafted commit message: the agent changes a file, opening the
// commit form fills in the scripted model's draft (asked once per change, with the task as
// context), committing uses the field's text; a rate-limited model falls back to the file-list
// message with the reason, and text the user typed is never replaced by a late draft.
// Creates its own provider and session; depends on no other spec.
import { expect, test } from "@playwright/test";
import { HomePage, SettingsPage, type SessionPage } from "./pages/session-page";
import { expectNoModelFailures, modelRequests, modelUrl, resetModel, scriptModel } from "./scripted-model";

const draft = "Add a greeting for visitors\n\nThe greeting file says hello to whoever opens the workspace.";

/** One agent turn that writes `file` (edits are accepted without asking in acceptEdits mode). */
const agentWrites = async (session: SessionPage, request: Parameters<typeof scriptModel>[0], task: string, file: string, content: string, turn: number) => {
  await scriptModel(request, [
    { expect: { lastUserTextIncludes: task }, toolCalls: [{ name: "Write", input: { file_path: `/workspace/${file}`, content } }] },
    { text: `Wrote ${file}.` },
  ]);
  await session.send(task);
  await session.waitForTurnEnd(turn);
};

test("commit: the model's draft fills the form, is cached per change, and is the committed message", async ({ page, request }) => {
  await new SettingsPage(page).addProvider({ kind: "anthropic", baseUrl: modelUrl, apiKey: "sk-ant-test", model: "claude-scripted" });
  const session = await new HomePage(page).createEmptySession("E2E commit draft");
  await page.getByTestId("mode-select").selectOption("acceptEdits");
  await expect(page.getByTestId("mode-select")).toHaveValue("acceptEdits");
  await resetModel(request);
  await agentWrites(session, request, "greet the visitors", "greeting.txt", "hello from the agent\n", 1);
  await expectNoModelFailures(request);

  // Opening the form asks the session's model, with the task and the patch.
  await scriptModel(request, [{ expect: { systemIncludes: "commit message", lastUserTextIncludes: "The task the agent was given:\ngreet the visitors" }, text: draft }]);
  await session.openChanges();
  await page.getByTestId("open-commit-form").click();
  const field = page.getByTestId("commit-message");
  await expect(field).toHaveValue(draft);
  await expect(page.getByTestId("commit-draft-source")).toContainText("Drafted by claude-scripted");
  await expectNoModelFailures(request);
  const draftRequest = (await modelRequests(request)).at(-1)!;
  expect(JSON.stringify(draftRequest.body)).toContain("+hello from the agent");
  expect((draftRequest.body as { tools?: unknown[] }).tools ?? []).toEqual([]);

  // Reopening the form for the same change does not ask again.
  const asked = (await modelRequests(request)).length;
  await page.getByTestId("commit-cancel").click();
  await page.getByTestId("open-commit-form").click();
  await expect(field).toHaveValue(draft);
  expect(await modelRequests(request)).toHaveLength(asked);

  await page.getByTestId("commit-button").click();
  await expect(page.getByTestId("commit-result")).toContainText("Committed");
  await expect(page.getByTestId("commit-form")).toHaveCount(0);

  // The commit is in the workspace's history with exactly the field's message.
  await page.getByTestId("tab-terminal").click();
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain("$");
  await session.typeInTerminal("git --no-pager log -1 --format='<%B>' && echo uncommitted=$(git status --short | wc -l)\n");
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain("uncommitted=0");
  expect((await session.terminalText()).replace(/[ \u00b7]+\n/g, "\n")).toContain(`<${draft}\n>`);
});

test("commit: a rate-limited model leaves the file-list message with the reason; typed text is never replaced", async ({ page, request }) => {
  await new SettingsPage(page).addProvider({ kind: "anthropic", baseUrl: modelUrl, apiKey: "sk-ant-test", model: "claude-scripted" });
  const session = await new HomePage(page).createEmptySession("E2E commit fallback");
  await page.getByTestId("mode-select").selectOption("acceptEdits");
  await expect(page.getByTestId("mode-select")).toHaveValue("acceptEdits");
  await resetModel(request);
  await agentWrites(session, request, "write the notes", "notes.md", "# Notes\n", 1);

  // Rate limited for longer than a draft may wait: the file-list message, and why.
  await scriptModel(request, [{ error: { status: 429, headers: { "retry-after": "120" } } }]);
  await session.openChanges();
  await page.getByTestId("open-commit-form").click();
  await expect(page.getByTestId("commit-message")).toHaveValue("Add notes.md");
  await expect(page.getByTestId("commit-draft-note")).toContainText(/rate limit reached \(429\).*drafted from the file list/);
  await page.getByTestId("commit-cancel").click();

  // A new change; the user starts typing while the model is still drafting: their text stays.
  await agentWrites(session, request, "add a todo", "todo.md", "- ship it\n", 2);
  await scriptModel(request, [{ text: "A draft that comes too late", delayMs: 4_000 }]);
  const before = (await modelRequests(request)).length;
  await page.getByTestId("open-commit-form").click();
  await expect(page.getByTestId("commit-draft-status")).toContainText("Drafting");
  await page.getByTestId("commit-message").fill("docs: my own words");
  await expect.poll(async () => (await modelRequests(request)).length).toBe(before + 1);
  await expect(page.getByTestId("commit-draft-status")).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId("commit-message")).toHaveValue("docs: my own words");
  await expectNoModelFailures(request);

  // Only asking for another draft replaces the field.
  await scriptModel(request, [{ expect: { lastUserTextIncludes: "added todo.md" }, text: "Add a todo list" }]);
  await page.getByTestId("draft-commit-message").click();
  await expect(page.getByTestId("commit-message")).toHaveValue("Add a todo list");
  await expect(page.getByTestId("commit-draft-source")).toContainText("Drafted by claude-scripted");
  await expectNoModelFailures(request);
});
