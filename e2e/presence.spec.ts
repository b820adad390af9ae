// Live shared sessions: the owner and an invited member open the same session in two browsers,
// each sees the other in the header (a second tab of the owner is still one watcher), and the
// member's avatar goes away when they close the page.
import { expect, test } from "@playwright/test";
import { mutate, newSignedOutPage, signUpThroughInvitation } from "./pages/accounts";
import { SessionPage } from "./pages/session-page";


test("the owner and an invited member see each other watching, until the member leaves", async ({ page, browser }) => {
  const { id: sessionId } = await mutate<{ id: string }>(page.request, "sessions.create", { title: "Pair watch", source: { kind: "empty" } });
  const invitation = await mutate<{ path: string }>(page.request, "invitations.create", { role: "member" });

  const ownerView = new SessionPage(page);
  await page.goto(`/sessions/${sessionId}`);
  const ownerName = await page.getByTestId("signed-in-as").textContent();
  await expect(ownerView.watchers(`${ownerName} · owner · you`)).toBeVisible();
  await expect(ownerView.watchers()).toHaveCount(1);

  // Mia signs up through the invitation in her own browser and opens the session.
  const mia = await newSignedOutPage(browser);
  await signUpThroughInvitation(mia, invitation.path, { name: "Mia Member", email: "mia@e2e.test", password: "mia-password-1" });
  const miaView = new SessionPage(mia);
  await mia.goto(`/sessions/${sessionId}`);

  // Each sees both, themself marked as "you"; initials are what shows.
  await expect(miaView.watchers("Mia Member · member · you")).toHaveText("MM");
  await expect(miaView.watchers(`${ownerName} · owner`)).toBeVisible();
  await expect(ownerView.watchers("Mia Member · member")).toBeVisible();
  await expect(ownerView.watchers()).toHaveCount(2);

  // The owner's second tab is the same watcher.
  const ownerSecondTab = await page.context().newPage();
  const secondView = new SessionPage(ownerSecondTab);
  await ownerSecondTab.goto(`/sessions/${sessionId}`);
  await expect(secondView.watchers("Mia Member · member")).toBeVisible();
  await expect(miaView.watchers()).toHaveCount(2);
  await ownerSecondTab.close();

  // Mia closes the page: she disappears from the owner's header; the owner is still watching.
  await mia.close();
  await expect(ownerView.watchers("Mia Member · member")).toHaveCount(0);
  await expect(ownerView.watchers()).toHaveCount(1);
  await mia.context().close();
});
