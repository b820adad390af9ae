import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFileToolContext } from "./file-tools.test-helpers";
import { makePdf } from "./pdf-text.test-helpers";
import { createWebFetchTool, webFetchTool } from "./web-fetch";

const page = `<!doctype html><html><head><title>T</title><style>body{}</style><script>alert(1)</script></head>
<body><h1>Docs</h1><p>Hello <a href="/x">link</a> and <code>code</code>.</p><ul><li>one</li><li>two</li></ul>
<pre><code>const a = 1;</code></pre></body></html>`;

describe("WebFetch tool", () => {
  let server: Server;
  let base: string;
  const tool = createWebFetchTool({ allowPrivateNetwork: true, maxBytes: 64 * 1024, timeoutMs: 1000 });
  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = request.url ?? "/";
      if (url === "/page") return void response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      if (url === "/json") return void response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      if (url === "/moved") return void response.writeHead(301, { location: "/page" }).end();
      if (url === "/away") return void response.writeHead(302, { location: "http://example.org/else" }).end();
      if (url === "/big") return void response.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(100 * 1024));
      if (url === "/bin") return void response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
      if (url === "/doc.pdf") return void response.writeHead(200, { "content-type": "application/pdf" }).end(makePdf(["PDF body text"]));
      if (url === "/slow") return void setTimeout(() => response.end("late"), 3000);
      response.writeHead(404, { "content-type": "text/plain" }).end("not here");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("converts HTML to markdown, dropping scripts and styles", async () => {
    const { context } = await makeFileToolContext();
    const result = await tool.run({ url: `${base}/page`, prompt: "What is listed?" }, context);
    expect(result.output).toBe(
      `Content of ${base}/page:\n\n# Docs\n\nHello [link](/x) and \`code\`.\n\n-   one\n-   two\n\n\`\`\`\nconst a = 1;\n\`\`\`\n\nAnswer from this content: What is listed?`,
    );
    expect(result.metadata).toMatchObject({ status: 200, contentType: "text/html; charset=utf-8" });
  });

  it("follows same-host redirects and reports cross-host ones", async () => {
    const { context } = await makeFileToolContext();
    const moved = await tool.run({ url: `${base}/moved` }, context);
    expect(moved.output).toMatch(new RegExp(`^Content of ${base}/page \\(redirected from ${base}/moved\\):\\n\\n# Docs`));
    const away = await tool.run({ url: `${base}/away` }, context);
    expect(away.output).toBe(`${base}/away redirects to another host: http://example.org/else\nFetch that URL with WebFetch if you want its content.`);
  });

  it("passes JSON through, extracts PDF text, describes binary and shows HTTP errors", async () => {
    const { context } = await makeFileToolContext();
    expect((await tool.run({ url: `${base}/json` }, context)).output).toBe(`Content of ${base}/json:\n\n{"ok":true}`);
    expect((await tool.run({ url: `${base}/doc.pdf` }, context)).output).toContain("PDF, 1 page\n\n--- page 1 ---\nPDF body text");
    expect((await tool.run({ url: `${base}/bin` }, context)).output).toContain("(binary content not shown: 7 bytes, ELF executable, application/octet-stream)");
    const missing = await tool.run({ url: `${base}/nope` }, context);
    expect(missing.output).toBe(`Content of ${base}/nope (HTTP 404 Not Found):\n\nnot here`);
  });

  it("enforces the size limit and the timeout", async () => {
    const { context } = await makeFileToolContext();
    await expect(tool.run({ url: `${base}/big` }, context)).rejects.toThrow(/larger than 65536 bytes/);
    await expect(tool.run({ url: `${base}/slow` }, context)).rejects.toThrow(/timed out after 1 s/);
  });

  it("refuses other schemes, bad URLs and (by default) private addresses", async () => {
    const { context } = await makeFileToolContext();
    await expect(tool.run({ url: "file:///etc/passwd" }, context)).rejects.toThrow("Only http and https URLs can be fetched, not file.");
    await expect(tool.run({ url: "not a url" }, context)).rejects.toThrow(/is not a valid URL/);
    await expect(webFetchTool.run({ url: `${base}/page` }, context)).rejects.toThrow(/local or private network address/);
    await expect(webFetchTool.run({ url: "http://169.254.169.254/latest/meta-data" }, context)).rejects.toThrow(/private network/);
    expect(webFetchTool.permissionKey({ url: "https://docs.example.com/a?b=1" })).toBe("domain:docs.example.com");
  });
});
