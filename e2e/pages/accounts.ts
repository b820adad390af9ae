// Accounts in e2e specs: fresh signed-out browsers, signing up through an invitation link, and tRPC
// calls as whoever a request context is signed in as.
import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";

/** A page in a new browser context with no cookies: nobody is signed in. */
export const newSignedOutPage = async (browser: Browser) => (await browser.newContext({ storageState: { cookies: [], origins: [] } })).newPage();

/** Follows an invitation link, signs up with a password, and waits for the sessions page. */
export const signUpThroughInvitation = async (page: Page, invitationPath: string, person: { name: string; email: string; password: string }) => {
  await page.goto(invitationPath);
  await page.getByTestId("invite-sign-up").click();
  await page.getByTestId("auth-name").fill(person.name);
  await page.getByTestId("auth-email").fill(person.email);
  await page.getByTestId("auth-password").fill(person.password);
  await page.getByTestId("sign-up-submit").click();
  await page.waitForURL((url) => url.pathname === "/");
};

/** A tRPC mutation over HTTP as whoever `request` is signed in as (superjson envelope). */
export const mutate = async <T>(request: APIRequestContext, path: string, input: unknown): Promise<T> => {
  const response = await request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
};
