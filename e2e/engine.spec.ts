// The Docker engine goes away and comes back (issue 4): the server reaches the engine through a
// proxy (playwright.config.ts) that this spec cuts and restores; the machine's dockerd runs on.
import Dockerode from "dockerode";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { HomePage, SettingsPage } from "./pages/session-page";
import { modelUrl, scriptModel } from "./scripted-model";

test.describe.configure({ mode: "serial" });

const proxyPort = Number(process.env.PINCER_E2E_DOCKER_PROXY_PORT);
const control = `http://127.0.0.1:${proxyPort + 1}`;
const setEngine = async (request: APIRequestContext, action: "cut" | "restore") => {
  const response = await request.post(`${control}/${action}`);
  expect(response.ok()).toBeTruthy();
};

test.afterEach(async ({ request }) => {
  await setEngine(request, "restore");
});

test("an engine outage shows a banner and a clear turn error; when the engine is back both go and the session works", async ({ page, request }) => {
  const info = (await new Dockerode().info()) as { Runtimes: Record<string, unknown>; DefaultRuntime: string };
  const runtime = "runsc" in info.Runtimes ? "runsc" : info.DefaultRuntime;
  await new SettingsPage(page).addProvider({ kind: "anthropic", baseUrl: modelUrl, apiKey: "sk-ant-test", model: "claude-scripted" });
  const session = await new HomePage(page).createEmptySession("Engine outage");
  // The runtime the container got, next to the image.
  await expect(page.getByTestId("session-runtime")).toHaveText(` · ${runtime}`);
  await expect(page.getByTestId("engine-banner")).toBeHidden();

  await setEngine(request, "cut");
  await scriptModel(request, [{ toolCalls: [{ name: "Bash", input: { command: "echo before-outage" } }] }, { text: "not asked" }]);
  await session.send("run something");
  await session.waitForTurnEnd(1);
  await expect(session.toolCards().first()).toHaveAttribute("data-status", "error");
  await expect(await session.toolOutput(0)).toContainText(`Cannot reach the Docker engine at 127.0.0.1:${proxyPort}`);
  await expect(page.getByText(/This turn stopped: Cannot reach the Docker engine/)).toBeVisible();
  const banner = page.getByTestId("engine-banner");
  await expect(banner).toContainText(`Docker engine unreachable at 127.0.0.1:${proxyPort}: connection refused (ECONNREFUSED); retrying.`);
  // The terminal lost its shell and retries (0.5, 1, 2, 4 s apart): it says why, not once per
  // attempt (a reset, then a refusal, may read differently; a repeat is not shown).
  const terminalErrors = async () => (await session.terminalText()).match(/\[error\] Could not open a terminal/g)?.length ?? 0;
  await expect.poll(terminalErrors, { timeout: 15_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(1000);
  const shown = await terminalErrors();
  await page.waitForTimeout(4000);
  expect(await terminalErrors(), await session.terminalText()).toBe(shown);
  expect(shown).toBeLessThanOrEqual(2);

  // The sessions page says the same.
  await page.goto("/");
  await expect(page.getByTestId("engine-banner")).toContainText(`Docker engine unreachable at 127.0.0.1:${proxyPort}`);

  await setEngine(request, "restore");
  await expect(page.getByTestId("engine-banner")).toBeHidden({ timeout: 30_000 });

  await page.goBack();
  await expect(page.getByTestId("engine-banner")).toBeHidden();
  await scriptModel(request, [{ toolCalls: [{ name: "Bash", input: { command: "echo after-$((20+22))" } }] }, { text: "Works again." }]);
  await session.send("try again");
  await session.waitForTurnEnd(2);
  await expect(session.toolCards().nth(1)).toHaveAttribute("data-status", "done");
  await expect(await session.toolOutput(1)).toContainText("after-42");
  await expect(page.getByTestId("assistant-message").last()).toContainText("Works again.");
});
