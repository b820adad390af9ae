// Accounts beyond passwords, in real Chromium: an admin emails an invitation (real SMTP server),
// the link from the mail plus "Continue with Test IdP" (a real local OIDC provider) lands the new
// user signed in as a member; a returning user signs in with the button; a stranger is told
// sign-up is closed.
import { expect, test } from "@playwright/test";
import { newSignedOutPage } from "./pages/accounts";
import { e2eIdentity } from "../playwright.config";

test.describe.configure({ mode: "serial" });

const idp = `http://127.0.0.1:${e2eIdentity.oidcPort}`;
const dana = { sub: "dana-e2e", email: "dana@e2e.test", name: "Dana Oidc" };


/** Who the test provider signs in next. */
const scriptIdpUser = async (user: { sub: string; email: string; name: string }) => {
  const response = await fetch(`${idp}/__user`, { method: "POST", body: JSON.stringify(user) });
  expect(response.ok).toBe(true);
};

/** The captured mail to `to`, once it has arrived. */
const mailTo = async (to: string) => {
  let found: { subject: string; text: string } | undefined;
  await expect(async () => {
    const inbox = (await (await fetch(`http://127.0.0.1:${e2eIdentity.inboxPort}/mail`)).json()) as Array<{ to: string; subject: string; text: string }>;
    found = inbox.find((message) => message.to === to);
    expect(found).toBeDefined();
  }).toPass();
  return found!;
};

test("an emailed invitation link and Continue with the OIDC provider sign a new member in", async ({ page, browser }) => {
  // A workspace of its own, so the owner's first workspace keeps the members other specs expect.
  const current = await page.request.get("/api/trpc/system.whoami");
  const firstWorkspaceId = ((await current.json()) as { result: { data: { json: { membership: { workspaceId: string } } } } }).result.data.json.membership.workspaceId;
  expect((await page.request.post("/api/trpc/workspaces.create", { data: { json: { name: "Accounts e2e" } } })).ok()).toBe(true);
  await page.goto("/settings/members");
  await page.getByTestId("invite-email").fill(dana.email);
  await page.getByTestId("invite-role").selectOption("member");
  await expect(page.getByTestId("invite-create")).toHaveText("Send invitation");
  await page.getByTestId("invite-create").click();
  await expect(page.getByTestId("invite-mail-status")).toHaveText(`Invitation sent to ${dana.email}.`);

  const mail = await mailTo(dana.email);
  expect(mail.subject).toMatch(/invited you to .* on Pincer/);
  const link = /http:\/\/\S+\/invite\/\S+/.exec(mail.text)?.[0];
  expect(link).toBeTruthy();

  await scriptIdpUser(dana);
  const invited = await newSignedOutPage(browser);
  await invited.goto(link!);
  await invited.getByTestId("continue-with-oidc").click();
  await invited.waitForURL((url) => url.pathname === "/");
  await expect(invited.getByTestId("workspace-name")).toContainText("(member)");
  await invited.context().close();

  await page.goto("/settings/members");
  await expect(page.getByTestId("member-row").filter({ hasText: dana.email })).toBeVisible();
  expect((await page.request.post("/api/trpc/workspaces.switch", { data: { json: { workspaceId: firstWorkspaceId } } })).ok()).toBe(true);
});

test("a returning user signs in with the button on the sign-in page", async ({ browser }) => {
  await scriptIdpUser(dana);
  const returning = await newSignedOutPage(browser);
  await returning.goto("/sign-in");
  await expect(returning.getByTestId("continue-with-oidc")).toHaveText("Continue with Test IdP");
  await returning.getByTestId("continue-with-oidc").click();
  await returning.waitForURL((url) => url.pathname === "/");
  await expect(returning.getByTestId("workspace-name")).toContainText("(member)");
  await returning.context().close();
});

test("a new provider account without an invitation is told that sign-up is closed", async ({ browser }) => {
  await scriptIdpUser({ sub: "stranger-e2e", email: "stranger@e2e.test", name: "Stranger" });
  const stranger = await newSignedOutPage(browser);
  await stranger.goto("/sign-in");
  await stranger.getByTestId("continue-with-oidc").click();
  await stranger.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("error") === "signup_closed");
  await expect(stranger.getByTestId("auth-error")).toContainText("Sign-up is closed");
  await stranger.context().close();
});
