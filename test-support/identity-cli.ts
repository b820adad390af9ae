// The e2e identity services as one process: the OIDC provider (oidc-provider.ts), the SMTP
// capture (smtp-capture.ts) and an inbox over HTTP to read what it captured.
//   npx tsx test-support/identity-cli.ts --oidc-port N --smtp-port N --inbox-port N --client ID:SECRET --smtp-login USER:PASS
// GET /mail on the inbox port lists the messages as [{ to, subject, text }].
import http from "node:http";
import { startOidcProvider } from "./oidc-provider";
import { startSmtpCapture } from "./smtp-capture";

const arg = (name: string, valid: RegExp) => {
  const value = process.argv[process.argv.indexOf(`--${name}`) + 1] ?? "";
  if (!process.argv.includes(`--${name}`) || !valid.test(value)) {
    console.error(`--${name}: missing or malformed`);
    process.exit(2);
  }
  return value;
};
const portArg = (name: string) => Number(arg(name, /^\d+$/));
const pairArg = (name: string) => arg(name, /^[^:]+:.+$/).split(/:(.*)/s) as [string, string];

const [clientId, clientSecret] = pairArg("client");
const [user, pass] = pairArg("smtp-login");
const idp = await startOidcProvider({ port: portArg("oidc-port"), clients: { [clientId]: clientSecret } });
const smtp = await startSmtpCapture({ port: portArg("smtp-port"), user, pass });
const inbox = http.createServer((req, res) => {
  if (req.url !== "/mail") return void res.writeHead(404).end();
  const mail = smtp.messages.map((message) => ({ to: message.to && !Array.isArray(message.to) ? message.to.text : "", subject: message.subject ?? "", text: message.text ?? "" }));
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(mail));
});
await new Promise<void>((resolve) => inbox.listen(portArg("inbox-port"), "127.0.0.1", resolve));
process.stdout.write(`OIDC_ISSUER=${idp.issuer} SMTP_URL=${smtp.url.replace(/:[^:@/]+@/, ":***@")}\n`);

const shutdown = () => {
  inbox.close();
  void Promise.all([idp.close(), smtp.close()]).then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
