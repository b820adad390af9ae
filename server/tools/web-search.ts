// WebSearch: asks a configured search backend (a SearXNG-compatible JSON endpoint,
// GET <url>?q=...&format=json) from the server, filters results by domain, returns a short list.
import { z } from "zod";
import { defineTool, ToolError } from "./tool";
import { truncateOutput } from "./truncate";
import { webSearchDescription } from "./web-search.description";

const TIMEOUT_MS = 15_000;
const MAX_RESULTS = 10;
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
const MAX_SNIPPET_CHARS = 400;

export type WebSearchOptions = {
  /** The backend's search URL; read from PINCER_SEARCH_URL at call time when not given. */
  searchUrl?: string;
  timeoutMs?: number;
};

const resultSchema = z.object({
  url: z.string(),
  title: z.string().optional().default(""),
  content: z.string().optional().default(""),
});
const responseSchema = z.object({ results: z.array(z.unknown()).default([]) });

const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).hostname.toLowerCase() : "");

/** "example.com" covers example.com and its subdomains. */
const domainMatches = (host: string, domain: string) => {
  const wanted = domain.toLowerCase().replace(/^\*?\./, "").replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return host === wanted || host.endsWith(`.${wanted}`);
};

export const createWebSearchTool = (options: WebSearchOptions = {}) =>
  defineTool({
    name: "WebSearch",
    description: webSearchDescription,
    inputSchema: z.object({
      query: z.string().trim().min(2).max(500).describe("The search query"),
      allowed_domains: z.array(z.string().min(1)).optional().describe("Only return results from these domains (subdomains included)"),
      blocked_domains: z.array(z.string().min(1)).optional().describe("Never return results from these domains (subdomains included)"),
    }),
    readOnly: true,
    permissionKey: (input) => input.query,
    run: async (input, context) => {
      const searchUrl = options.searchUrl ?? process.env.PINCER_SEARCH_URL;
      if (!searchUrl) {
        throw new ToolError(
          "Web search is not configured: set PINCER_SEARCH_URL to a SearXNG-compatible JSON search endpoint (e.g. http://searxng:8080/search) on the Pincer server. Until then, use WebFetch on URLs you know.",
        );
      }
      const url = new URL(searchUrl);
      url.searchParams.set("q", input.query);
      url.searchParams.set("format", "json");
      const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      const failed = (why: string) => new ToolError(`Web search failed: ${why}`);
      const response = await fetch(url, { signal, headers: { accept: "application/json" } }).catch((error: unknown) => {
        if (context.signal.aborted) throw new ToolError("The search was interrupted.");
        if (signal.aborted) throw failed(`the search backend did not answer within ${timeoutMs / 1000} s`);
        throw failed(error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error));
      });
      if (!response.ok) throw failed(`the search backend answered HTTP ${response.status} ${response.statusText}`);
      const text = await response.text().catch((error: unknown) => {
        throw failed(error instanceof Error ? error.message : String(error));
      });
      if (text.length > MAX_RESPONSE_BYTES) throw failed("the search backend's answer is too large");
      const parsed = responseSchema.safeParse((() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return null;
        }
      })());
      if (!parsed.success) throw failed("the search backend did not return SearXNG-style JSON ({ results: [...] })");

      const allowed = input.allowed_domains ?? [];
      const blocked = input.blocked_domains ?? [];
      const results = parsed.data.results
        .map((item) => resultSchema.safeParse(item))
        .filter((item) => item.success)
        .map((item) => item.data)
        .filter((item) => /^https?:\/\//i.test(item.url))
        .filter((item) => {
          const host = hostOf(item.url);
          if (blocked.some((domain) => domainMatches(host, domain))) return false;
          return allowed.length === 0 || allowed.some((domain) => domainMatches(host, domain));
        })
        .slice(0, MAX_RESULTS);
      if (results.length === 0) {
        return { output: `No results for "${input.query}".`, isError: false, metadata: { query: input.query, results: [] } };
      }
      const lines = results.map((item, index) => {
        const snippet = item.content.replace(/\s+/g, " ").trim().slice(0, MAX_SNIPPET_CHARS);
        return `${index + 1}. ${item.title.trim() || item.url}\n   ${item.url}${snippet ? `\n   ${snippet}` : ""}`;
      });
      const bounded = truncateOutput(`Results for "${input.query}":\n\n${lines.join("\n\n")}`, context.limits.maxOutputChars);
      return {
        output: bounded.text,
        isError: false,
        metadata: { query: input.query, results: results.map(({ url: link, title }) => ({ url: link, title })) },
      };
    },
  });

export const webSearchTool = createWebSearchTool();
