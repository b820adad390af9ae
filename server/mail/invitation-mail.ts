// The invitation email: who invites you where, as what, the link, and when it stops working.
import type { MailMessage } from "./mailer";

export const invitationMail = (invitation: { to: string; link: string; workspaceName: string; role: string; inviterName: string; expiresAt: Date }): MailMessage => ({
  to: invitation.to,
  subject: `${invitation.inviterName} invited you to ${invitation.workspaceName} on Pincer`,
  text: [
    `${invitation.inviterName} invited you to join ${invitation.workspaceName} on Pincer as ${invitation.role}.`,
    "",
    "Open this link to accept (it works once):",
    invitation.link,
    "",
    `The link expires on ${invitation.expiresAt.toUTCString()}.`,
  ].join("\n"),
});
