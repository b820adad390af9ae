// Context in the browser (issue 9): /compact leaves a marker and the next request starts from the
// summary; parallel Task subagents nest their transcripts under their cards and only their reports
// reach the parent; built-in and unknown slash commands answer with notices.
import { expect, test, type Page } from "@playwright/test";
import { HomePage, SettingsPage, type SessionPage } from "./pages/session-page";
import { expectNoModelFailures, modelRequests, modelUrl, resetModel, respondByContent, scriptModel } from "./scripted-model";

test.describe.configure({ mode: "serial" });

/** Adds the scripted provider unless one is there already (other specs may have added theirs). */
const ensureProvider = async (page: Page) => {
  await page.goto("/settings");
  const rows = page.getByTestId("provider-row");
  await expect(rows.first().or(page.getByTestId("no-providers"))).toBeVisible();
  if ((await rows.count()) === 0) await new SettingsPage(page).addProvider({ kind: "anthropic", baseUrl: modelUrl, apiKey: "sk-ant-test", model: "claude-scripted" });
};

/** The text of every message of a recorded request, in order (Anthropic and OpenAI shapes). */
const messageTexts = (body: Record<string, unknown> | undefined): string[] =>
  ((body?.messages ?? body?.input ?? []) as Array<{ content?: unknown }>).map((message) => JSON.stringify(message.content ?? message));

/** Approves every approval card that turns up until the session has `turns` finished turns. */
const approveUntilTurnEnds = async (page: Page, session: SessionPage, turns: number) => {
  const pending = page.getByTestId("approve-once");
  await expect
    .poll(
      async () => {
        if ((await pending.count()) > 0) await pending.first().click().catch(() => undefined);
        return session.turnEnds().count();
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(turns);
};

test.beforeEach(async ({ page, request }) => {
  await ensureProvider(page);
  await resetModel(request);
});

test("/compact with a focus leaves a marker with the summary and tokens, and the next request starts from the summary", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("E2E compact");
  await scriptModel(request, [{ expect: { lastUserTextIncludes: "write tests for calc" }, text: "I wrote calc.test.ts with three cases." }]);
  await session.send("write tests for calc");
  await session.waitForTurnEnd(1);

  const summary = "## Task\nWrite tests for calc\n## Decisions\nvitest\n## Files touched\ncalc.test.ts\n## Errors and fixes\nnone\n## Open todos\nedge cases\n## Next step\nrun the tests";
  await scriptModel(request, [{ expect: { systemIncludes: "You summarise a coding agent's session", requestIncludes: "Focus especially on: focus on the tests" }, text: summary }]);
  await session.send("/compact focus on the tests");

  const marker = page.getByTestId("compaction-marker");
  await expect(marker).toBeVisible();
  await expect(marker).toContainText(/compacted on request: [\d,]+ → [\d,]+ tokens/);
  await expect(marker).toContainText("focus: focus on the tests");
  await marker.locator("summary").click();
  await expect(marker.getByTestId("compaction-summary")).toContainText("Write tests for calc");
  await expect(marker.getByTestId("compaction-summary")).toContainText("run the tests");
  const [before, after] = ((await marker.locator("summary").textContent()) ?? "").match(/[\d,]+(?= → )|(?<= → )[\d,]+/g)?.map((n) => Number(n.replace(/,/g, ""))) ?? [];
  expect(before).toBeGreaterThan(0);
  expect(after).toBeGreaterThan(0);

  await scriptModel(request, [{ expect: { lastUserTextIncludes: "carry on" }, text: "Running the tests next." }]);
  await session.send("carry on");
  await session.waitForTurnEnd(2);
  await expect(page.getByTestId("assistant-message").last()).toContainText("Running the tests next.");
  await expectNoModelFailures(request);

  const requests = await modelRequests(request);
  expect(requests).toHaveLength(3);
  const [first] = messageTexts(requests[2]?.body);
  expect(first).toContain("This session was compacted");
  expect(first).toContain("Write tests for calc");
  // The summarised user message is gone from the model's view (it stays on screen and in the log).
  expect(messageTexts(requests[2]?.body).join("\n")).not.toContain("write tests for calc");
  await expect(page.getByTestId("user-message").first()).toHaveText("write tests for calc");
});

test("two Task subagents in one reply: nested transcripts with their tool cards, and only their reports reach the parent", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("E2E subagents");
  const child = (name: string) => ({
    match: { systemIncludes: "You are a subagent", requestIncludes: `job-${name}` },
    steps: [
      { toolCalls: [{ name: "Bash", input: { command: `printf 'child-%s-output\\n' ${name}` } }] },
      { expect: { toolResultIncludes: `child-${name}-output` }, text: `Report ${name}: the ${name} check passed.` },
    ],
  });
  await respondByContent(request, [child("alpha"), child("beta")]);
  await scriptModel(request, [
    {
      expect: { lastUserTextIncludes: "check both" },
      toolCalls: [
        { name: "Task", input: { description: "Check alpha", prompt: "Run the job-alpha check and report." } },
        { name: "Task", input: { description: "Check beta", prompt: "Run the job-beta check and report." } },
      ],
    },
    { expect: { toolResultIncludes: "Report beta" }, text: "Both checks passed: alpha and beta." },
  ]);
  await session.send("check both modules");
  await approveUntilTurnEnds(page, session, 1);
  await expect(page.getByTestId("assistant-message").last()).toContainText("Both checks passed");

  for (const name of ["alpha", "beta"]) {
    const group = page.getByTestId("subagent-group").filter({ has: page.locator('[data-tool="Task"]', { hasText: `Check ${name}` }) });
    await expect(group).toHaveCount(1);
    await expect(group.locator('> [data-testid="tool-call"]')).toHaveAttribute("data-status", "done");
    const nested = group.getByTestId("subagent-transcript");
    await expect(nested.getByTestId("subagent-prompt")).toContainText(`job-${name}`);
    await expect(nested.getByTestId("subagent-usage")).toContainText("finished");
    const childTool = nested.getByTestId("tool-call");
    await expect(childTool).toHaveCount(1);
    await expect(childTool).toHaveAttribute("data-tool", "Bash");
    await expect(childTool).toHaveAttribute("data-status", "done");
    await childTool.locator("button[aria-expanded]").first().click();
    await expect(childTool.getByTestId("tool-call-output")).toContainText(`child-${name}-output`);
    await expect(nested).toContainText(`Report ${name}: the ${name} check passed.`);
  }
  await expectNoModelFailures(request);

  // The parent's second request has both reports and none of the children's tool output.
  const requests = await modelRequests(request);
  const parent = requests.filter((recorded) => recorded.stepIndex !== undefined);
  expect(parent).toHaveLength(2);
  const parentText = JSON.stringify(parent[1]?.body);
  expect(parentText).toContain("Report alpha");
  expect(parentText).toContain("Report beta");
  expect(parentText).not.toContain("child-alpha-output");
  expect(parentText).not.toContain("child-beta-output");
  // Each child made its two requests in its own fresh context.
  expect(requests.filter((recorded) => recorded.responderIndex !== undefined)).toHaveLength(4);
});

test("/skills, /cost and an unknown command answer with notices", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("E2E commands");
  // The server's skills folder (skills/) ships code-review.
  await session.send("/skills");
  await expect(page.getByTestId("info-notice").filter({ hasText: "Skills:" })).toContainText("code-review:");
  await session.send("/cost");
  await expect(page.getByTestId("info-notice").filter({ hasText: "Turns: 0" })).toContainText("Cost: $0.0000");
  await session.send("/frobnicate now");
  const unknown = page.getByTestId("error-notice").filter({ hasText: "Unknown command /frobnicate" });
  await expect(unknown).toBeVisible();
  await expect(unknown).toContainText("/compact");
  // None of them reached the model.
  expect(await modelRequests(request)).toHaveLength(0);
  await expect(page.getByTestId("user-message")).toHaveCount(0);
});
