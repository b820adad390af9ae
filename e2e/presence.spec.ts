// Live shared sessions: the owner and an invited member open the same session in two browsers,
// each sees the other in the header (a second tab of the owner is still one watcher), and the
// member's avatar goes away when they close the page.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { SessionPage } from "./pages/session-page";

/** A tRPC mutation over HTTP as whoever `request` is signed in as (superjson envelope). */
const mutate = async <T>(request: APIRequestContext, path: string, input: unknown): Promise<T> => {
  const response = await request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
};

test("the owner and an invited member see each other watching, until the member leaves", async ({ page, browser }) => {
  const { id: sessionId } = await mutate<{ id: string }>(page.request, "sessions.create", { title: "Pair watch", source: { kind: "empty" } });
  const invitation = await mutate<{ path: string }>(page.request, "invitations.create", { role: "member" });

  const ownerView = new SessionPage(page);
  await page.goto(`/sessions/${sessionId}`);
  const ownerName = await page.getByTestId("signed-in-as").textContent();
  await expect(ownerView.watchers(`${ownerName} · owner · you`)).toBeVisible();
  await expect(ownerView.watchers()).toHaveCount(1);

  // Mia signs up through the invitation in her own browser and opens the session.
  const miaContext = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const mia = await miaContext.newPage();
  await mia.goto(invitation.path);
  await mia.getByTestId("invite-sign-up").click();
  await mia.getByTestId("auth-name").fill("Mia Member");
  await mia.getByTestId("auth-email").fill("mia@e2e.test");
  await mia.getByTestId("auth-password").fill("mia-password-1");
  await mia.getByTestId("sign-up-submit").click();
  await mia.waitForURL((url) => url.pathname === "/");
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
  await miaContext.close();
});
