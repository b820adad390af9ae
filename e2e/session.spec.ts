// The walk of issue 3: set a provider, create a session, the scripted agent runs Bash and Write in
// the session's container, the terminal and the diff show it, reload keeps the transcript, Stop aborts.
import { expect, test } from "@playwright/test";
import { HomePage, SessionPage, SettingsPage } from "./pages/session-page";
import { expectNoModelFailures, modelRequests, modelUrl, scriptModel } from "./scripted-model";

test.describe.configure({ mode: "serial" });

/** The last "rows cols" line `stty size` printed. */
const lastTtySize = (text: string) => [...text.matchAll(/^(\d+) (\d+)\s*$/gm)].at(-1)?.slice(1, 3).join("x") ?? null;

test("without a provider the front page says what to do", async ({ page }) => {
  // Other specs may have added providers: remove them (which is itself part of the walk).
  await page.goto("/settings");
  const rows = page.getByTestId("provider-row");
  await expect(rows.first().or(page.getByTestId("no-providers"))).toBeVisible();
  while ((await rows.count()) > 0) {
    const before = await rows.count();
    await rows.first().getByRole("button", { name: "Remove" }).click();
    await expect(rows).toHaveCount(before - 1);
  }
  await page.goto("/");
  await expect(page.getByTestId("setup-provider-banner")).toContainText("No model provider yet");
  await page.getByTestId("setup-provider-banner").getByRole("link", { name: "Settings" }).click();
  await expect(page.getByTestId("no-providers")).toBeVisible();
});

test("a provider form error is shown, not thrown", async ({ page }) => {
  await page.goto("/settings");
  await page.getByTestId("provider-kind").selectOption("openai-compatible");
  await page.getByTestId("provider-base-url").fill("");
  await page.getByTestId("provider-save").click();
  await expect(page.getByTestId("provider-error")).toContainText("base URL");
});

test("the agent runs tools in its sandbox; terminal, diff and reload show the same work", async ({ page, request, browser }) => {
  await new SettingsPage(page).addProvider({ kind: "anthropic", baseUrl: modelUrl, apiKey: "sk-ant-test", model: "claude-scripted" });
  const session = await new HomePage(page).createEmptySession("E2E walk");

  await scriptModel(request, [
    {
      expect: { lastUserTextIncludes: "make a greeting" },
      text: "I'll check where I am first.",
      toolCalls: [{ name: "Bash", input: { command: "cd /workspace && echo hello-from-$(whoami) && pwd" } }],
    },
    {
      expect: { toolResultIncludes: "hello-from-pincer" },
      toolCalls: [{ name: "Write", input: { file_path: "/workspace/greeting.txt", content: "hello from the agent\n" } }],
    },
    { text: "Done. I wrote `greeting.txt`:\n\n```python\nprint('hello from the agent')\n```\n" },
  ]);
  await session.send("make a greeting");

  // Reading commands run at once; writing a file asks first (default mode).
  const approval = page.getByTestId("approval-card");
  await expect(approval).toBeVisible();
  await expect(approval.getByTestId("approval-subject")).toContainText("/workspace/greeting.txt");
  await expect(page.getByTestId("status-badge").first()).toHaveAttribute("data-status", "waiting");
  await approval.getByTestId("approve-once").click();
  await expect(page.getByTestId("approval-answered")).toHaveAttribute("data-choice", "allow_once");

  await session.waitForTurnEnd(1);
  await expect(session.toolCards()).toHaveCount(2);
  await expect(session.toolCards().nth(0)).toHaveAttribute("data-status", "done");
  await expect(await session.toolOutput(0)).toContainText("hello-from-pincer");
  await expect(await session.toolOutput(0)).toContainText("/workspace");
  await expect(session.toolCards().nth(1)).toHaveAttribute("data-tool", "Write");
  await expect(session.toolCards().nth(1)).toHaveAttribute("data-status", "done");
  const finalReply = page.getByTestId("assistant-message").last();
  await expect(finalReply).toContainText("Done. I wrote");
  await expect(finalReply.locator("pre").first()).toContainText("print(");
  await expectNoModelFailures(request);

  // The model saw the tool results exactly as the tools produced them.
  const requests = await modelRequests(request);
  expect(JSON.stringify(requests.at(-1)?.body)).toContain("greeting.txt");

  // The terminal is a real TTY in the same container: the agent's file is there.
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain("$");
  await session.typeInTerminal("cat greeting.txt\n");
  await expect.poll(() => session.terminalText()).toContain("hello from the agent");

  // Resizing the page resizes the TTY.
  await session.typeInTerminal("stty size\n");
  await expect.poll(async () => lastTtySize(await session.terminalText())).not.toBeNull();
  const before = lastTtySize(await session.terminalText());
  await page.setViewportSize({ width: 1000, height: 560 });
  await expect
    .poll(async () => {
      await session.typeInTerminal("stty size\n");
      return lastTtySize(await session.terminalText());
    })
    .not.toEqual(before);
  await page.setViewportSize({ width: 1280, height: 720 });

  // The diff against the base commit lists the new file.
  await session.openChanges();
  const file = page.getByTestId("diff-file").filter({ has: page.locator('[data-path="greeting.txt"]') }).or(page.locator('[data-testid="diff-file"][data-path="greeting.txt"]'));
  await expect(file.first()).toBeVisible();
  await expect(file.first().getByTestId("diff-additions")).toContainText("1");

  // Reload: the same transcript, from the log.
  await page.reload();
  await expect(session.toolCards()).toHaveCount(2);
  await expect(page.getByTestId("user-message")).toHaveText("make a greeting");

  // A second browser sees the same session and the session list shows it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(`/sessions/${session.id}`);
  await expect(new SessionPage(otherPage).toolCards()).toHaveCount(2);
  await otherPage.goto("/");
  await expect(otherPage.getByTestId("session-row").filter({ hasText: "E2E walk" })).toBeVisible();
  await other.close();
});

test("Stop aborts a long command and the session stays usable", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("E2E stop");
  await scriptModel(request, [
    { toolCalls: [{ name: "Bash", input: { command: "echo started; sleep 300; echo never" } }] },
  ]);
  await session.send("run something slow");
  await expect(session.toolCards().first()).toHaveAttribute("data-status", "running");
  await expect(session.toolCards().first()).toContainText("started");
  await page.getByTestId("stop-button").click();
  await expect(session.turnEnds().first()).toHaveAttribute("data-reason", "aborted");
  await expect(session.toolCards().first()).toHaveAttribute("data-status", "error");
  await expect(await session.toolOutput(0)).toContainText("started");
  await expect(await session.toolOutput(0)).not.toContainText("never");

  // The killed command is gone from the container, and the next message works.
  await scriptModel(request, [
    { expect: { lastUserTextIncludes: "still running" }, toolCalls: [{ name: "Bash", input: { command: "ps -eo args | grep -c '[s]leep 300' || true" } }] },
    { text: "No sleeper left." },
  ]);
  await session.send("is it still running?");
  await session.waitForTurnEnd(2);
  await expect(await session.toolOutput(1)).toHaveText(/^\s*0\s*$/);
  await expectNoModelFailures(request);
});

test("a provider error ends the turn with a visible error and the session stays usable", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("E2E provider error");
  await scriptModel(request, [{ error: { status: 401, body: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } } } }]);
  await session.send("hello?");
  await expect(page.getByTestId("error-notice").first()).toContainText("401");
  await expect(session.turnEnds().first()).toHaveAttribute("data-reason", "error");
  await scriptModel(request, [{ text: "Back again." }]);
  await session.send("try again");
  await expect(page.getByTestId("assistant-message").last()).toContainText("Back again.");
});
