// Outgoing mail (invitations) over SMTP with nodemailer, when PINCER_SMTP_URL is set. The only
// module importing nodemailer; callers get a Mailer, or null when mail is not configured.
import nodemailer from "nodemailer";

export type MailMessage = { to: string; subject: string; text: string };

export type Mailer = { send: (message: MailMessage) => Promise<void> };

/** A mail server that is down or unreachable fails the send within seconds, not minutes. */
const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export const createSmtpMailer = (settings: { url: string; from: string }): Mailer => {
  const transport = nodemailer.createTransport({ url: settings.url, ...timeouts }, { from: settings.from });
  return {
    send: async (message) => {
      await transport.sendMail(message);
    },
  };
};

/** Why a send failed, fit to show an admin: the server's words, never the connection URL (it holds the password). */
export const mailErrorMessage = (error: unknown) => {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/smtps?:\/\/[^\s]+/gi, "<smtp url>");
};
