// The cuttable Docker proxy (docker-proxy.ts) as its own process, for the e2e server: it listens on
// --port for the engine's API and on --control-port for GET /state, POST /cut and POST /restore.
import http from "node:http";
import { parseArgs } from "node:util";
import { startDockerProxy } from "./docker-proxy";

const { values } = parseArgs({ options: { port: { type: "string" }, "control-port": { type: "string" } } });
if (!values.port || !values["control-port"]) {
  console.error("usage: docker-proxy-cli --port <engine port> --control-port <control port>");
  process.exit(2);
}

const proxy = await startDockerProxy({ port: Number(values.port) });
const control = http.createServer((request, response) => {
  const answer = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const route = `${request.method} ${request.url}`;
  if (route === "GET /state") return answer(200, { up: proxy.up, url: proxy.url });
  if (route === "POST /cut") return void proxy.cut().then(() => answer(200, { up: proxy.up }));
  if (route === "POST /restore") return void proxy.restore().then(() => answer(200, { up: proxy.up }));
  answer(404, { error: `no route ${route}` });
});
control.listen(Number(values["control-port"]), "127.0.0.1", () => {
  console.log(`Docker proxy on ${proxy.url}, control on http://127.0.0.1:${values["control-port"]}`);
});
