// Issue 4: a session picks its sandbox image in the new-session form; the session page names the
// image and shows the sandbox's live resource use from the engine.
import { expect, test } from "@playwright/test";
import { HomePage } from "./pages/session-page";

const NODE_PYTHON = "pincer-sandbox-node-python:latest";

test("a session on the Node + Python image shows its image and live resource use", async ({ page }) => {
  await page.goto("/");
  const select = page.getByTestId("session-image-select");
  // The default comes first and is preselected; the variant is offered beside it.
  await expect(select).toHaveValue("pincer-sandbox:latest");
  await expect(select.locator("option")).toContainText(["Base (Debian, git, Python 3)", "Node.js + Python"]);

  const session = await new HomePage(page).createEmptySession("Node and Python", { image: NODE_PYTHON });
  await expect(page.getByTestId("session-image")).toContainText(NODE_PYTHON);
  // Memory in use against the sandbox's limit (SANDBOX_MEMORY_MB, 2048 by default), from docker stats.
  await expect(page.getByTestId("sandbox-memory")).toHaveText(/^\d+(\.\d)? (B|KiB|MiB) \/ 2 GiB$/);
  await expect(page.getByTestId("sandbox-cpu")).toHaveText(/^CPU \d+(\.\d)?% of 1 CPU$/);
  await expect(page.getByTestId("sandbox-pids")).toHaveText(/^\d+\/512 pids$/);

  // The terminal is in the same container: the variant's runtimes are there.
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain("$");
  await session.typeInTerminal("node -e 'console.log(6 * 7)'; python3 -c 'print(6 * 8)'\n");
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toMatch(/^42\s*$[\s\S]*^48\s*$/m);

  // The figures are live: memory grows when the sandbox holds more (256 MiB on its /tmp tmpfs).
  const before = await page.getByTestId("sandbox-memory").textContent();
  await session.typeInTerminal("head -c 268435456 /dev/zero > /tmp/ballast && echo ballast-$((6*7))\n");
  await expect.poll(() => session.terminalText(), { timeout: 30_000 }).toContain("ballast-42");
  await expect(page.getByTestId("sandbox-memory")).toHaveText(/^(2\d\d|[3-9]\d\d) MiB \/ 2 GiB$/);
  expect(before).not.toMatch(/^(2\d\d|[3-9]\d\d) MiB/);
});
