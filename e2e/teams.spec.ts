// Teams: signed-out browsers go to sign-in, sign-up is closed without an invitation, an invited
// viewer watches a session but cannot act in it, and a session of another workspace is not found.
import { expect, test } from "@playwright/test";
import { mutate, newSignedOutPage, signUpThroughInvitation } from "./pages/accounts";

test.describe.configure({ mode: "serial" });



test("a signed-out browser is sent to sign-in, and sign-up is closed without an invitation", async ({ browser }) => {
  const page = await newSignedOutPage(browser);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings$/);
  await page.goto("/sign-up");
  await page.getByTestId("auth-name").fill("Eve");
  await page.getByTestId("auth-email").fill("eve@e2e.test");
  await page.getByTestId("auth-password").fill("eve-password-1");
  await page.getByTestId("sign-up-submit").click();
  await expect(page.getByTestId("auth-error")).toContainText("Sign-up is closed");
  await page.context().close();
});

test("an invited viewer watches the stream but cannot send; another workspace's session is not found", async ({ page, browser }) => {
  // page.request shares the owner's cookie.
  const request = page.request;
  // The owner makes a viewer invitation on the members page.
  // Other specs may have invited people to this workspace already: count from what is there.
  await page.goto("/settings/members");
  await expect(page.getByTestId("member-row").first()).toBeVisible();
  const membersBefore = await page.getByTestId("member-row").count();
  await page.getByTestId("invite-role").selectOption("viewer");
  await page.getByTestId("invite-create").click();
  const link = await page.getByTestId("invitation-link").first().textContent();
  expect(link).toMatch(/\/invite\//);

  // The owner starts a session and writes in it.
  const { id: sessionId } = await mutate<{ id: string }>(request, "sessions.create", { title: "Shared walk", source: { kind: "empty" } });
  await page.goto(`/sessions/${sessionId}`);
  await expect(page.getByTestId("session-title")).toHaveText("Shared walk");

  // Bob follows the link, signs up, and is a viewer of the owner's workspace.
  const viewer = await newSignedOutPage(browser);
  await signUpThroughInvitation(viewer, new URL(link!).pathname, { name: "Bob Viewer", email: "bob@e2e.test", password: "bob-password-1" });
  await expect(viewer.getByTestId("workspace-name")).toContainText("(viewer)");
  await expect(viewer.getByTestId("session-row").filter({ hasText: "Shared walk" })).toBeVisible();

  // Bob watches: no composer, and what the owner sends streams to him.
  await viewer.goto(`/sessions/${sessionId}`);
  await expect(viewer.getByTestId("viewer-note")).toBeVisible();
  await expect(viewer.getByTestId("send-button")).toHaveCount(0);
  await mutate(request, "sessions.send", { sessionId, text: "hello, watchers" });
  await expect(viewer.getByTestId("user-message").filter({ hasText: "hello, watchers" })).toBeVisible();

  // The owner sees Bob on the members page.
  await page.goto("/settings/members");
  await expect(page.getByTestId("member-row")).toHaveCount(membersBefore + 1);

  // A session in a workspace Bob is not in does not exist for him.
  const other = await mutate<{ id: string }>(request, "workspaces.create", { name: "Private" });
  const { id: privateSession } = await mutate<{ id: string }>(request, "sessions.create", { title: "Private walk", source: { kind: "empty" } });
  await viewer.goto(`/sessions/${privateSession}`);
  await expect(viewer.getByTestId("session-error")).toHaveText("Session not found.");
  const workspaces = await request.get(`/api/trpc/workspaces.list`);
  const first = ((await workspaces.json()) as { result: { data: { json: Array<{ id: string }> } } }).result.data.json.find((workspace) => workspace.id !== other.id);
  await mutate(request, "workspaces.switch", { workspaceId: first!.id });
  await viewer.context().close();
});
