// The real HTTP server (better-auth + tRPC + sockets) on a migrated temp SQLite file, with no
// sandbox engine and no model, and helpers to sign up and call tRPC over HTTP with the cookie.
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "better-auth/node";
import { createAuth, inviteHeader } from "../server/auth/auth";
import { accountCount } from "../server/auth/workspaces";
import { createPincerServer } from "../server/http-server";
import type { SandboxDriver } from "../server/sandbox/sandbox";
import { createServices, newId } from "../server/services";
import { createTempDb } from "./temp-db";

const idleDriver: SandboxDriver = {
  create: async () => Promise.reject(new Error("unused")),
  ensure: async () => Promise.reject(new Error("unused")),
  inspect: async () => null,
  list: async () => [],
  stop: async () => undefined,
  destroy: async () => undefined,
};

export const startAuthServer = async () => {
  const temp = await createTempDb();
  const services = createServices({
    db: temp.db,
    driver: idleDriver,
    createModelClient: () => {
      throw new Error("unused");
    },
    tools: [],
    toolSchemas: [],
    dataDir: temp.dir,
    sandboxDefaults: { image: "x", network: "none", memoryBytes: 1, nanoCpus: 1, pidsLimit: 1 },
  });
  const { auth, identify } = createAuth({ db: temp.db, secret: "test-secret-test-secret-test-secret!", newId, allowSignup: false, provider: "sqlite", rateLimit: false });
  const { server } = createPincerServer({
    services,
    identify,
    auth: { handler: toNodeHandler(auth), needsFirstAccount: async () => (await accountCount(temp.db)) === 0 },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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

  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await services.sessions.shutdown().catch(() => undefined);
    await temp.cleanup();
  };

  return { base, db: temp.db, services, post, cookieOf, signUp, signIn, trpc, trpcRaw, close };
};

export type AuthServer = Awaited<ReturnType<typeof startAuthServer>>;
