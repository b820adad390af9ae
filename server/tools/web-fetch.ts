// WebFetch: fetches a URL from the server (not the sandbox), http(s) only, with a size limit and a
// timeout; HTML becomes markdown, PDFs their text. Which domains may be fetched is the permission
// engine's decision (permission key `domain:<host>`); redirects to another host are reported, not
// followed, so that decision is made again for the new host.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import TurndownService from "turndown";
import { z } from "zod";
import { describePdf } from "./pdf-text";
import { defineTool, ToolError } from "./tool";
import { describeBinary, detectBinary, truncateOutput } from "./truncate";
import { webFetchDescription } from "./web-fetch.description";

const MAX_BYTES = 5 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const USER_AGENT = "Pincer-WebFetch/1.0 (+self-hosted coding agent)";

export type WebFetchOptions = {
  /** Allow loopback, private and link-local addresses (tests, intranet setups). Default false. */
  allowPrivateNetwork?: boolean;
  maxBytes?: number;
  timeoutMs?: number;
};

const parseUrl = (raw: string): URL => {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url) throw new ToolError(`${raw} is not a valid URL. Give a full URL such as https://example.com/page.`);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ToolError(`Only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, "")}.`);
  }
  if (url.username || url.password) throw new ToolError("URLs with credentials (user:password@) cannot be fetched.");
  return url;
};

const isPrivateAddress = (address: string): boolean => {
  if (isIP(address) === 6) {
    const lower = address.toLowerCase();
    if (lower === "::1" || lower === "::") return true;
    if (lower.startsWith("::ffff:")) return isPrivateAddress(lower.slice(7));
    return /^(fc|fd|fe8|fe9|fea|feb)/.test(lower);
  }
  const [a = 0, b = 0] = address.split(".").map(Number);
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
};

/** Refuses hosts that resolve to the server's own network (the server may sit next to internal services). */
const assertPublicHost = async (url: URL) => {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) throw new ToolError(`Cannot resolve the host ${host}.`);
  if (addresses.some(isPrivateAddress)) {
    throw new ToolError(`${host} is a local or private network address; WebFetch only reaches public hosts.`);
  }
};

/** Reads the body up to maxBytes; returns null when it is larger. */
const readBounded = async (response: Response, maxBytes: number): Promise<Buffer | null> => {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      return null;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
};

const htmlToMarkdown = (html: string): string => {
  const turndown = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  const dropped = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "IFRAME", "SVG", "TEMPLATE", "HEAD", "TITLE"]);
  turndown.remove((node) => dropped.has(node.nodeName.toUpperCase()));
  return turndown
    .turndown(html)
    .replace(/\n{3,}/g, "\n\n")
    .trim();
};

const charsetOf = (contentType: string) => /charset=["']?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? "utf-8";

const decodeText = (bytes: Buffer, contentType: string) => {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(bytes);
  } catch {
    return bytes.toString("utf8");
  }
};

export const createWebFetchTool = (options: WebFetchOptions = {}) => {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  return defineTool({
    name: "WebFetch",
    description: webFetchDescription,
    inputSchema: z.object({
      url: z.string().min(1).describe("The http(s) URL to fetch"),
      prompt: z.string().optional().describe("What you want to learn from the page; kept with the result"),
    }),
    readOnly: true,
    permissionKey: (input) => {
      const host = URL.canParse(input.url) ? new URL(input.url).hostname : input.url;
      return `domain:${host}`;
    },
    run: async (input, context) => {
      const start = parseUrl(input.url);
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      let url = start;
      let response: Response | undefined;
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        if (!options.allowPrivateNetwork) await assertPublicHost(url);
        response = await fetch(url, {
          redirect: "manual",
          signal,
          headers: { "user-agent": USER_AGENT, accept: "text/html, text/markdown, text/plain, application/json, application/pdf;q=0.9, */*;q=0.5" },
        }).catch((error: unknown) => {
          if (context.signal.aborted) throw new ToolError("The fetch was interrupted.");
          if (signal.aborted) throw new ToolError(`Fetching ${url.href} timed out after ${timeoutMs / 1000} s.`);
          const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
          throw new ToolError(`Fetching ${url.href} failed: ${cause}`);
        });
        const location = response.headers.get("location");
        if (response.status < 300 || response.status >= 400 || !location) break;
        await response.body?.cancel();
        const next = parseUrl(new URL(location, url).href);
        if (next.host !== url.host) {
          return {
            output: `${url.href} redirects to another host: ${next.href}\nFetch that URL with WebFetch if you want its content.`,
            isError: false,
            metadata: { url: url.href, status: response.status, redirect: next.href },
          };
        }
        url = next;
        if (hop === MAX_REDIRECTS) throw new ToolError(`Too many redirects (more than ${MAX_REDIRECTS}) from ${start.href}.`);
      }
      if (!response) throw new ToolError(`No response from ${start.href}.`);

      const bytes = await readBounded(response, maxBytes).catch((error: unknown) => {
        if (signal.aborted) throw new ToolError(`Fetching ${url.href} timed out after ${timeoutMs / 1000} s.`);
        throw new ToolError(`Reading ${url.href} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      if (!bytes) throw new ToolError(`${url.href} is larger than ${maxBytes} bytes; it was not fetched.`);
      const contentType = response.headers.get("content-type") ?? "";
      const status = response.ok ? "" : ` (HTTP ${response.status} ${response.statusText})`;

      const content = await (async () => {
        if (/application\/pdf/i.test(contentType) || bytes.subarray(0, 4).toString("latin1") === "%PDF") return (await describePdf(bytes, url.href)).text;
        if (/html|xml\+xhtml/i.test(contentType)) return htmlToMarkdown(decodeText(bytes, contentType));
        if (!/^(text\/|application\/(json|xml|javascript|x-ndjson|ld\+json|yaml))/i.test(contentType) && detectBinary(bytes)) {
          return `(binary content not shown: ${describeBinary(bytes)}${contentType ? `, ${contentType}` : ""})`;
        }
        return decodeText(bytes, contentType);
      })();
      const bounded = truncateOutput(content, context.limits.maxOutputChars);
      const header = `Content of ${url.href}${status}${url.href === start.href ? "" : ` (redirected from ${start.href})`}:`;
      const prompt = input.prompt ? `\n\nAnswer from this content: ${input.prompt}` : "";
      return {
        output: `${header}\n\n${bounded.text}${prompt}`,
        // A 404 page is still an answer; the model sees the status.
        isError: false,
        metadata: { url: url.href, status: response.status, contentType, bytes: bytes.length, truncated: bounded.truncated },
      };
    },
  });
};

export const webFetchTool = createWebFetchTool();
