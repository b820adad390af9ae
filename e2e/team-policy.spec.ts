// The team policy on the settings page: rules that do not parse are refused with the reason, a saved
// policy shows in a session's Rules tab, and bypass mode is offered only where the policy allows it.
import { expect, test, type Page } from "@playwright/test";
import { HomePage } from "./pages/session-page";

test.describe.configure({ mode: "serial" });

const savePolicy = async (page: Page, policy: { deny: string; allowBypass: boolean }) => {
  await page.goto("/settings");
  await page.getByTestId("team-policy-allow").fill("");
  await page.getByTestId("team-policy-ask").fill("");
  await page.getByTestId("team-policy-deny").fill(policy.deny);
  await page.getByTestId("team-policy-allow-bypass").setChecked(policy.allowBypass);
  await page.getByTestId("team-policy-save").click();
  await expect(page.getByTestId("team-policy-saved")).toBeVisible();
};

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await savePolicy(page, { deny: "", allowBypass: false });
  await page.close();
});

test("a rule that does not parse is refused, naming it", async ({ page }) => {
  await page.goto("/settings");
  await page.getByTestId("team-policy-allow").fill("Bash(npm test)\nBash(ls");
  await page.getByTestId("team-policy-save").click();
  await expect(page.getByTestId("team-policy-save-error")).toContainText("allow: not a permission rule");
  await expect(page.getByTestId("team-policy-save-error")).toContainText("Bash(ls");
});

test("the saved policy applies to sessions: Rules tab lists it, bypass follows allowBypass", async ({ page }) => {
  await savePolicy(page, { deny: "Bash(shutdown:*)", allowBypass: false });
  await page.reload();
  await expect(page.getByTestId("team-policy-deny")).toHaveValue("Bash(shutdown:*)");

  await new HomePage(page).createEmptySession("Team policy");
  const bypass = page.getByTestId("mode-select").locator('option[value="bypassPermissions"]');
  await expect(bypass).toBeDisabled();
  await page.getByTestId("tab-rules").click();
  await expect(page.locator('[data-testid="rules-source"][data-source="team"]')).toContainText("Bash(shutdown:*)");
  const sessionUrl = page.url();

  await savePolicy(page, { deny: "Bash(shutdown:*)", allowBypass: true });
  await page.goto(sessionUrl);
  await expect(bypass).toBeEnabled();
  await page.getByTestId("mode-select").selectOption("bypassPermissions");
  await expect(page.getByTestId("mode-select")).toHaveValue("bypassPermissions");
});
