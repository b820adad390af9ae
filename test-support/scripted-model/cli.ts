// Runs the scripted model server as its own process (for Playwright e2e), driven over HTTP:
// POST /__script, POST /__push, GET /__requests, GET /__failures, POST /__reset.
//   npx tsx test-support/scripted-model/cli.ts --port 0
import { startScriptedModelServer } from "./server";

const portFlag = process.argv.indexOf("--port");
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;
if (!Number.isInteger(port) || port < 0) {
  console.error(`invalid --port ${process.argv[portFlag + 1]}`);
  process.exit(2);
}

const server = await startScriptedModelServer({ port });
process.stdout.write(`SCRIPTED_MODEL_URL=${server.url}\n`);

const shutdown = () => {
  void server.close().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
