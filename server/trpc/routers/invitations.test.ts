// Invitations by email over HTTP against the real server and a real SMTP server: the mail carries
// a working link; with the mail server down the invitation still exists and the reason is shown;
// without SMTP the option is off and asking for it is a clear error.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthServer, type AuthServer } from "../../../test-support/auth-server";
import { startSmtpCapture, type SmtpCapture } from "../../../test-support/smtp-capture";
import { createSmtpMailer } from "../../mail/mailer";

type Created = { token: string; mail: { to: string; sent: boolean; error?: string } | null };

let smtp: SmtpCapture;
let mailing: AuthServer;
let down: AuthServer;
let plain: AuthServer;
const from = "Pincer <pincer@example.com>";

const deadSmtpUrl = async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `smtp://pincer:mail-secret@127.0.0.1:${port}`;
};

beforeAll(async () => {
  smtp = await startSmtpCapture();
  [mailing, down, plain] = await Promise.all([
    startAuthServer({ mailer: createSmtpMailer({ url: smtp.url, from }) }),
    deadSmtpUrl().then((url) => startAuthServer({ mailer: createSmtpMailer({ url, from }) })),
    startAuthServer(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([mailing?.close(), down?.close(), plain?.close()]);
  await smtp?.close();
});

describe("invitations by email", () => {
  it("mails a link that lets the recipient sign up into the workspace", async () => {
    const owner = await mailing.signUp("Ada", "ada@example.com");
    expect(await mailing.trpc(owner, "invitations.options")).toEqual({ email: true });
    const created = await mailing.trpc<Created>(owner, "invitations.create", { role: "member", email: "bob@example.com" }, "POST");
    expect(created.mail).toEqual({ to: "bob@example.com", sent: true });

    const mail = await smtp.message(0);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe("bob@example.com");
    expect(mail.subject).toBe("Ada invited you to Ada's workspace on Pincer");
    const link = /https?:\/\/\S+\/invite\/\S+/.exec(mail.text ?? "")?.[0];
    expect(link).toBe(`${mailing.base}/invite/${created.token}`);

    const token = new URL(link!).pathname.split("/").pop()!;
    expect(await mailing.trpc(owner, "invitations.preview", { token })).toEqual({ valid: true, workspaceName: "Ada's workspace", role: "member" });
    const bob = await mailing.signUp("Bob", "bob@example.com", token);
    expect(await mailing.trpc(bob, "system.whoami")).toMatchObject({ membership: { role: "member", workspaceName: "Ada's workspace" } });
  });

  it("refuses an address that is not one", async () => {
    const owner = await mailing.signIn("ada@example.com");
    const { status, body } = await mailing.trpcRaw(owner, "invitations.create", { role: "member", email: "not an address" }, "POST");
    expect(status).toBe(400);
    expect(body.error?.json.message).toBe("Enter a valid email address.");
  });

  it("with the mail server down, says why and keeps the invitation link", async () => {
    const owner = await down.signUp("Ada", "ada@example.com");
    const created = await down.trpc<Created>(owner, "invitations.create", { role: "viewer", email: "bob@example.com" }, "POST");
    expect(created.mail).toMatchObject({ to: "bob@example.com", sent: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(created.mail?.error).not.toMatch(/mail-secret/);
    const listed = await down.trpc<Array<{ token: string }>>(owner, "invitations.list");
    expect(listed.map((item) => item.token)).toContain(created.token);
    expect(await down.trpc(owner, "invitations.preview", { token: created.token })).toMatchObject({ valid: true });
  });

  it("without SMTP, offers links only and refuses to mail", async () => {
    const owner = await plain.signUp("Ada", "ada@example.com");
    expect(await plain.trpc(owner, "invitations.options")).toEqual({ email: false });
    const { status, body } = await plain.trpcRaw(owner, "invitations.create", { role: "member", email: "bob@example.com" }, "POST");
    expect(status).toBe(400);
    expect(body.error?.json.message).toMatch(/PINCER_SMTP_URL/);
    expect(await plain.trpc<Array<unknown>>(owner, "invitations.list")).toEqual([]);
  });
});
