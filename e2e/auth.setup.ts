// Runs once before the specs: a fresh install sends the browser to sign-up; the first account is
// created there, becomes owner of the first workspace, and its cookie is saved for every spec.
import { expect, test as setup } from "@playwright/test";
import { ownerStorageState } from "../playwright.config";

export const owner = { name: "E2E Owner", email: "owner@e2e.test", password: "owner-password-1" };

setup("the first account signs up and lands on the sessions page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-up$/);
  await page.getByTestId("auth-name").fill(owner.name);
  await page.getByTestId("auth-email").fill(owner.email);
  await page.getByTestId("auth-password").fill(owner.password);
  await page.getByTestId("sign-up-submit").click();
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page.getByTestId("signed-in-as")).toHaveText(owner.name);
  await expect(page.getByTestId("workspace-name")).toContainText("(owner)");
  await page.context().storageState({ path: ownerStorageState });
});
