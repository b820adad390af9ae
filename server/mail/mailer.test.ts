// The SMTP mailer against a real SMTP server on loopback: delivery with a login, a wrong
// password and a server that is down fail with the server's reason, never with the password.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpCapture, type SmtpCapture } from "../../test-support/smtp-capture";
import { createSmtpMailer, mailErrorMessage } from "./mailer";

let smtp: SmtpCapture;

beforeAll(async () => {
  smtp = await startSmtpCapture({ user: "pincer", pass: "hunter2-secret" });
});

afterAll(async () => {
  await smtp?.close();
});

/** A loopback port nothing listens on. */
const closedPort = async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

describe("createSmtpMailer", () => {
  it("delivers a message from the configured sender", async () => {
    const mailer = createSmtpMailer({ url: smtp.url, from: "Pincer <pincer@example.com>" });
    await mailer.send({ to: "bob@example.com", subject: "Hello", text: "A line\nand another" });
    const mail = await smtp.message(0);
    expect(mail.from?.text).toBe('"Pincer" <pincer@example.com>');
    expect(mail.subject).toBe("Hello");
    expect(mail.text?.trim()).toBe("A line\nand another");
  });

  it("reports a refused login without the password", async () => {
    const url = smtp.url.replace("hunter2-secret", "wrong-secret");
    const error = await createSmtpMailer({ url, from: "pincer@example.com" }).send({ to: "bob@example.com", subject: "x", text: "x" }).catch((caught: unknown) => caught);
    expect(mailErrorMessage(error)).toMatch(/Invalid username or password/);
    expect(mailErrorMessage(error)).not.toMatch(/secret/);
  });

  it("reports a mail server that is down", async () => {
    const url = `smtp://pincer:hunter2-secret@127.0.0.1:${await closedPort()}`;
    const error = await createSmtpMailer({ url, from: "pincer@example.com" }).send({ to: "bob@example.com", subject: "x", text: "x" }).catch((caught: unknown) => caught);
    expect(mailErrorMessage(error)).toMatch(/ECONNREFUSED/);
    expect(mailErrorMessage(error)).not.toMatch(/hunter2/);
  });

  it("never repeats a connection URL found in an error", () => {
    expect(mailErrorMessage(new Error("bad smtp://u:pw@host:25 here"))).toBe("bad <smtp url> here");
  });
});
