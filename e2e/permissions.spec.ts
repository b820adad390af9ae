// Approvals in the browser: an ask shows a card; allow once runs the command, deny sends the
// message to the agent, always-in-project writes the rule; a pending card survives a reload.
import { expect, test } from "@playwright/test";
import { HomePage, SettingsPage } from "./pages/session-page";
import { expectNoModelFailures, modelUrl, scriptModel } from "./scripted-model";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto("/settings");
  if ((await page.getByTestId("provider-row").count()) === 0) {
    await new SettingsPage(page).addProvider({ kind: "openai-compatible", baseUrl: `${modelUrl}/v1`, apiKey: "", model: "scripted" });
  }
  await page.close();
});

test("allow once runs the command; the card survives a reload while it waits", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("Approvals: allow once");
  await scriptModel(request, [
    { toolCalls: [{ name: "Bash", input: { command: "mkdir -p out && echo made > out/flag.txt && cat out/flag.txt" } }] },
    { expect: { toolResultIncludes: "made" }, text: "The flag file exists." },
  ]);
  await session.send("make a flag file");
  const card = page.getByTestId("approval-card");
  await expect(card.getByTestId("approval-subject")).toHaveText("mkdir -p out && echo made > out/flag.txt && cat out/flag.txt");
  await expect(card.getByTestId("approval-reason")).toContainText("mkdir");

  await page.reload();
  await expect(page.getByTestId("approval-card")).toBeVisible();
  await page.getByTestId("approve-once").click();
  await session.waitForTurnEnd(1);
  await expect(await session.toolOutput(0)).toContainText("made");
  await expectNoModelFailures(request);
});

test("deny sends the message to the agent", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("Approvals: deny");
  await scriptModel(request, [
    { toolCalls: [{ name: "Bash", input: { command: "rm -rf node_modules" } }] },
    { expect: { toolResultIncludes: "keep the cache" }, text: "Okay, I will leave node_modules alone." },
  ]);
  await session.send("clean up");
  await page.getByTestId("approval-message").fill("keep the cache");
  await page.getByTestId("deny").click();
  await session.waitForTurnEnd(1);
  await expect(page.getByTestId("approval-answered")).toHaveAttribute("data-choice", "deny");
  await expect(session.toolCards().first()).toHaveAttribute("data-status", "error");
  await expect(page.getByTestId("assistant-message").last()).toContainText("leave node_modules alone");
  await expectNoModelFailures(request);
});

test("always in this project writes the rule, and the same command no longer asks", async ({ page, request }) => {
  const session = await new HomePage(page).createEmptySession("Approvals: project rule");
  await scriptModel(request, [
    { toolCalls: [{ name: "Bash", input: { command: "touch build.log" } }] },
    { toolCalls: [{ name: "Bash", input: { command: "touch build.log" } }] },
    { toolCalls: [{ name: "Read", input: { file_path: "/workspace/.pincer/settings.json" } }] },
    { text: "Rule saved." },
  ]);
  await session.send("touch the log twice");
  await expect(page.getByTestId("approval-rules")).toContainText("Bash(touch build.log)");
  await page.getByTestId("approve-project").click();
  await session.waitForTurnEnd(1);
  await expect(page.getByTestId("approval-card")).toHaveCount(0);
  await expect(page.getByTestId("approval-answered")).toHaveCount(1);
  await expect(await session.toolOutput(2)).toContainText("Bash(touch build.log)");
  await expectNoModelFailures(request);
});
