import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "../../test-support/scripted-model/server";
import { createModelClient } from "./create-model-client";
import type { ProviderConfig } from "./model-client";

describe("createModelClient", () => {
  let server: ScriptedModelServer;
  beforeAll(async () => {
    server = await startScriptedModelServer({ logFailures: false });
  });
  afterAll(() => server.close());

  const configs = (url: string): ProviderConfig[] => [
    { kind: "anthropic", baseUrl: url, apiKey: "k", model: "claude-x" },
    { kind: "openai", baseUrl: `${url}/v1`, apiKey: "k", model: "gpt-x" },
    { kind: "openai-responses", baseUrl: `${url}/v1`, apiKey: "k", model: "gpt-x" },
    { kind: "openai-compatible", baseUrl: `${url}/v1`, apiKey: "", model: "llama" },
  ];

  it("builds a retrying client for each provider kind that talks to the right endpoint", async () => {
    for (const config of configs(server.url)) {
      server.reset();
      server.setScript([{ error: { status: 503 } }, { text: `hello from ${config.kind}` }]);
      const client = createModelClient(config, { retry: { sleep: async () => {} } });
      expect(client.provider).toBe(config.kind);
      const response = await client.stream({ model: config.model, system: "s", tools: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], maxTokens: 50 }, { signal: new AbortController().signal });
      expect(response.content).toEqual([{ type: "text", text: `hello from ${config.kind}` }]);
      const path = { anthropic: "/v1/messages", "openai-responses": "/v1/responses" }[config.kind as string] ?? "/v1/chat/completions";
      expect(server.requests.map((request) => request.path)).toEqual([path, path]);
      expect(server.requests[1]?.body?.model).toBe(config.model);
      expect(server.failures).toEqual([]);
    }
  });

  it("returns the bare adapter with retry: false", async () => {
    server.reset();
    server.setScript([{ error: { status: 503 } }]);
    const client = createModelClient({ kind: "anthropic", baseUrl: server.url, apiKey: "k", model: "m" }, { retry: false });
    await expect(client.stream({ model: "m", system: "", tools: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], maxTokens: 5 }, { signal: new AbortController().signal })).rejects.toMatchObject({ kind: "server", status: 503 });
    expect(server.requests).toHaveLength(1);
  });
});
