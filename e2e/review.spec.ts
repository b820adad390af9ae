// Review, end to end: per-turn checkpoints, revert a hunk, line comments (clicked on line numbers)
// reach the agent, rewind (later turns greyed in the transcript), a model-drafted commit message,
// commit and push a branch to a real git remote over HTTP (pushed server-side: the sandbox has no
// network). Creates its own provider and session; depends on no other spec.
import { expect, test } from "@playwright/test";
import { startGitHttpServer, type GitHttpServer } from "../test-support/git-http-server";
import { HomePage, SettingsPage, type SessionPage } from "./pages/session-page";
import { expectNoModelFailures, modelUrl, scriptModel } from "./scripted-model";

test.describe.configure({ mode: "serial" });

let remote: GitHttpServer;
test.beforeAll(async () => {
  remote = await startGitHttpServer({ username: "reviewer", password: "e2e-token" });
});
test.afterAll(async () => remote?.close());

const hunks = (session: SessionPage) => session.page.locator('[data-testid="diff-file"][data-path="numbers.txt"]').getByTestId("diff-hunk");

test("review: revert a hunk, comment to the agent, rewind, draft, commit and push a branch", async ({ page, request }) => {
  await new SettingsPage(page).addProvider({ kind: "anthropic", baseUrl: modelUrl, apiKey: "sk-ant-test", model: "claude-scripted" });
  const session = await new HomePage(page).createEmptySession("E2E review");

  // The workspace changes are typed in the terminal between turns (each turn ends in a checkpoint),
  // so this spec exercises review, not the tools.
  const shell = async (command: string, marker: string) => {
    await session.typeInTerminal(`${command} && echo ${marker}-done\n`);
    await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain(`${marker}-done`);
  };
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain("$");
  await shell("seq 1 40 > numbers.txt", "one");
  await scriptModel(request, [{ text: "Wrote numbers." }]);
  await session.send("write numbers");
  await session.waitForTurnEnd(1);
  await shell("sed -i -e 's/^2$/two/' -e 's/^38$/thirty-eight/' numbers.txt", "two");
  await scriptModel(request, [{ text: "Spelled two numbers out." }]);
  await session.send("spell some out");
  await session.waitForTurnEnd(2);

  await page.getByTestId("tab-changes").click();
  await expect(page.getByTestId("checkpoint")).toHaveCount(3);
  await expect(page.locator('[data-testid="checkpoint"][data-number="2"]')).toContainText("1 file(s) +2 -2");
  await page.getByTestId("review-scope").selectOption("turn");
  await expect(hunks(session)).toHaveCount(2);

  // Revert the second hunk only.
  await hunks(session).nth(1).getByTestId("revert-hunk").click();
  await expect(hunks(session)).toHaveCount(1);
  await expect(hunks(session).first()).toContainText("two");

  // Comment on the remaining hunk by clicking its line numbers (shift-click: a range); the comment
  // reaches the agent with file:line.
  const lineNumber = (line: number) => hunks(session).first().locator(`[data-line-new-num="${line}"]`);
  await lineNumber(1).click();
  await expect(page.getByTestId("comment-line")).toHaveValue("1");
  await lineNumber(3).click({ modifiers: ["Shift"] });
  await expect(page.getByTestId("comment-line")).toHaveValue("1");
  await expect(page.getByTestId("comment-end-line")).toHaveValue("3");
  await lineNumber(2).click();
  await expect(page.getByTestId("comment-line")).toHaveValue("2");
  await expect(page.getByTestId("comment-end-line")).toHaveValue("");
  await page.getByTestId("comment-body").fill("Use digits here, please.");
  await page.getByTestId("comment-save").click();
  await expect(page.getByTestId("pending-comment")).toHaveCount(1);
  await scriptModel(request, [{ expect: { lastUserTextIncludes: "numbers.txt:2\n```\ntwo\n```\nUse digits here, please." }, text: "Will do." }]);
  await page.getByTestId("send-comments").click();
  await expect(page.getByTestId("comments-sent")).toBeVisible();
  await session.waitForTurnEnd(3);
  await expectNoModelFailures(request);
  await expect(page.getByTestId("pending-comment")).toHaveCount(0);

  // Rewind to after turn 1: the file is back to plain numbers, later checkpoints greyed.
  await page.locator('[data-testid="checkpoint"][data-number="1"]').getByTestId("rewind-button").click();
  await expect(page.getByTestId("rewind-result")).toContainText("Rewound to checkpoint 1");
  await expect(page.locator('[data-testid="checkpoint"][data-number="2"]')).toHaveAttribute("data-abandoned", "true");
  await page.getByTestId("review-scope").selectOption("start");
  await expect(page.locator('[data-testid="diff-file"][data-path="numbers.txt"]')).toBeVisible();
  await expect(hunks(session).first()).not.toContainText("two");
  // The turns after checkpoint 1 stay in the transcript, greyed as rewound; turn 1 does not.
  const rewound = page.getByTestId("rewound-group");
  await expect(rewound).toHaveCount(1);
  await expect(rewound).toContainText("spell some out");
  await expect(rewound).toContainText("Will do.");
  await expect(rewound).not.toContainText("write numbers");

  // Opening the commit form fills in the message the session's model drafted from the change.
  await scriptModel(request, [{ expect: { systemIncludes: "commit message", lastUserTextIncludes: "added numbers.txt +40 -0" }, text: "Add the numbers one to forty" }]);
  await page.getByTestId("open-commit-form").click();
  await expect(page.getByTestId("commit-message")).toHaveValue("Add the numbers one to forty");
  await expectNoModelFailures(request);

  // Commit, then push: first without a credential (the remote's refusal is shown), then with one.
  const repoUrl = remote.createRepo("review-e2e");
  await page.getByTestId("commit-message").fill("Add numbers");
  await page.getByTestId("commit-button").click();
  await expect(page.getByTestId("commit-result")).toContainText("Committed");
  await page.getByTestId("push-remote").fill(repoUrl);
  await page.getByTestId("push-branch").fill("pincer/review-e2e");
  await page.getByTestId("push-button").click();
  await expect(page.getByTestId("push-error")).toContainText(/credentials|Authentication/i);

  await page.getByTestId("credential-form").locator("summary").click();
  await page.getByTestId("credential-username").fill("reviewer");
  await page.getByTestId("credential-secret").fill("e2e-token");
  await page.getByTestId("credential-save").click();
  await expect(page.getByTestId("credential-saved")).toBeVisible();
  await page.getByTestId("push-button").click();
  await expect(page.getByTestId("push-result")).toContainText("pincer/review-e2e");
  expect(remote.git("review-e2e", "log", "--format=%s", "-1", "refs/heads/pincer/review-e2e")).toBe("Add numbers");
  expect(remote.git("review-e2e", "show", "refs/heads/pincer/review-e2e:numbers.txt")).toBe(Array.from({ length: 40 }, (_, i) => i + 1).join("\n"));
});
