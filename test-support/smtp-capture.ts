// A real SMTP server for tests (smtp-server, from the nodemailer project) that requires a login
// and keeps every message it accepts, parsed (mailparser), so a test can read what was sent.
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export type SmtpCaptureOptions = { port?: number; user?: string; pass?: string };

export const startSmtpCapture = async (options: SmtpCaptureOptions = {}) => {
  const user = options.user ?? "pincer";
  const pass = options.pass ?? "mail-secret";
  const messages: ParsedMail[] = [];
  const waiters: Array<() => void> = [];

  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS with a self-signed certificate to trust.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (auth, _session, callback) => {
      if (auth.username === user && auth.password === pass) return callback(null, { user });
      callback(new Error("Invalid username or password"));
    },
    onData: (stream, _session, callback) => {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          for (const wake of waiters.splice(0)) wake();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;

  /** Resolves with the message at `index` once it has arrived. */
  const message = async (index: number): Promise<ParsedMail> => {
    while (messages.length <= index) await new Promise<void>((resolve) => waiters.push(resolve));
    return messages[index]!;
  };

  return {
    port,
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    messages,
    message,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

export type SmtpCapture = Awaited<ReturnType<typeof startSmtpCapture>>;
