import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { createWebSearchTool } from "./web-search";

describe("WebSearch tool", () => {
  let server: Server;
  let base: string;
  const queries: string[] = [];
  beforeAll(async () => {
    // A fake SearXNG: /search answers JSON, /broken answers HTML, /down answers 502.
    server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://x");
      if (url.pathname === "/broken") return void response.writeHead(200, { "content-type": "text/html" }).end("<html>captcha</html>");
      if (url.pathname === "/down") return void response.writeHead(502).end();
      queries.push(`${url.searchParams.get("q")}|${url.searchParams.get("format")}`);
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          query: url.searchParams.get("q"),
          results: [
            { url: "https://docs.python.org/3/library/asyncio.html", title: "asyncio", content: "Asynchronous   I/O\n docs" },
            { url: "https://blog.example.com/asyncio", title: "A blog post", content: "" },
            { url: "https://spam.test/a", title: "Spam" },
            { url: "javascript:alert(1)", title: "bad" },
            { title: "no url" },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("queries the backend and lists results", async () => {
    const { context } = await makeFileToolContext();
    const tool = createWebSearchTool({ searchUrl: `${base}/search` });
    const result = await tool.run({ query: "python asyncio" }, context);
    expect(queries.at(-1)).toBe("python asyncio|json");
    expect(result.output).toBe(
      [
        'Results for "python asyncio":',
        "",
        "1. asyncio\n   https://docs.python.org/3/library/asyncio.html\n   Asynchronous I/O docs",
        "",
        "2. A blog post\n   https://blog.example.com/asyncio",
        "",
        "3. Spam\n   https://spam.test/a",
      ].join("\n"),
    );
    expect(result.metadata).toMatchObject({ results: [{ title: "asyncio" }, { title: "A blog post" }, { title: "Spam" }] });
  });

  it("filters by allowed and blocked domains", async () => {
    const { context } = await makeFileToolContext();
    const tool = createWebSearchTool({ searchUrl: `${base}/search` });
    const allowed = await tool.run({ query: "asyncio", allowed_domains: ["example.com"] }, context);
    expect(allowed.output).toBe('Results for "asyncio":\n\n1. A blog post\n   https://blog.example.com/asyncio');
    const blocked = await tool.run({ query: "asyncio", blocked_domains: ["spam.test", "python.org"] }, context);
    expect(blocked.output).toBe('Results for "asyncio":\n\n1. A blog post\n   https://blog.example.com/asyncio');
    const none = await tool.run({ query: "asyncio", allowed_domains: ["nowhere.invalid"] }, context);
    expect(none.output).toBe('No results for "asyncio".');
  });

  it("says clearly when no backend is configured or the backend misbehaves", async () => {
    const { context } = await makeFileToolContext();
    const saved = process.env.PINCER_SEARCH_URL;
    delete process.env.PINCER_SEARCH_URL;
    try {
      await expect(createWebSearchTool().run({ query: "anything" }, context)).rejects.toThrow(/^Web search is not configured: set PINCER_SEARCH_URL/);
    } finally {
      if (saved !== undefined) process.env.PINCER_SEARCH_URL = saved;
    }
    await expect(createWebSearchTool({ searchUrl: `${base}/broken` }).run({ query: "x y" }, context)).rejects.toThrow(/did not return SearXNG-style JSON/);
    await expect(createWebSearchTool({ searchUrl: `${base}/down` }).run({ query: "x y" }, context)).rejects.toThrow(/HTTP 502/);
  });
});
