// Talks to a running Pincer server over HTTP as a browser would (same-origin, session cookie):
// sign-up and sign-in through better-auth, tRPC calls in the superjson envelope.
import { inviteHeader } from "../server/auth/auth";

export const createHttpClient = (base: string) => {
  const cookieOf = (response: Response) => response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", origin: base, ...headers }, body: JSON.stringify(body) });

  /** Signs up (with an invitation token when given) and returns the session cookie. */
  const signUp = async (name: string, email: string, inviteToken?: string) => {
    const response = await post("/api/auth/sign-up/email", { name, email, password: "correct horse battery" }, inviteToken ? { [inviteHeader]: inviteToken } : {});
    if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
    return cookieOf(response);
  };

  const signIn = async (email: string) => {
    const response = await post("/api/auth/sign-in/email", { email, password: "correct horse battery" });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
    return cookieOf(response);
  };

  /** Calls a procedure and returns the HTTP status with the parsed body. */
  const trpcRaw = async <T = unknown>(cookie: string, path: string, input?: unknown, method: "GET" | "POST" = "GET") => {
    const encoded = encodeURIComponent(JSON.stringify({ json: input ?? null }));
    const response = await fetch(method === "GET" ? `${base}/api/trpc/${path}?input=${encoded}` : `${base}/api/trpc/${path}`, {
      method,
      headers: { cookie, "content-type": "application/json" },
      body: method === "POST" ? JSON.stringify({ json: input ?? null }) : undefined,
    });
    const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
    return { status: response.status, body };
  };

  /** Calls a procedure; resolves to its data, rejects with the error message. */
  const trpc = async <T = unknown>(cookie: string, path: string, input?: unknown, method: "GET" | "POST" = "GET"): Promise<T> => {
    const { status, body } = await trpcRaw<T>(cookie, path, input, method);
    if (!body.result) throw new Error(`${path}: ${status} ${body.error?.json.message ?? "failed"}`);
    return body.result.data.json;
  };

  return { base, post, cookieOf, signUp, signIn, trpc, trpcRaw };
};

export type HttpClient = ReturnType<typeof createHttpClient>;
