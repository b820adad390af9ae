import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decryptSecret, encryptSecret, loadOrCreateKeyFile } from "./secrets";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe("secrets", () => {
  it("round-trips and never stores the plain text", () => {
    const key = randomBytes(32);
    const stored = encryptSecret("sk-ant-very-secret", key);
    expect(stored).not.toContain("sk-ant");
    expect(stored).not.toBe(encryptSecret("sk-ant-very-secret", key)); // fresh IV each time
    expect(decryptSecret(stored, key)).toBe("sk-ant-very-secret");
  });

  it("refuses a wrong key or a tampered value without echoing it", () => {
    const key = randomBytes(32);
    const stored = encryptSecret("hunter2", key);
    expect(() => decryptSecret(stored, randomBytes(32))).toThrow(/wrong key or corrupted/);
    const [version, iv, tag, body] = stored.split(":");
    const flipped = Buffer.from(body ?? "", "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => decryptSecret([version, iv, tag, flipped.toString("base64")].join(":"), key)).toThrow(/corrupted/);
    expect(() => decryptSecret("plain text", key)).toThrow("Not an encrypted secret");
  });

  it("generates a 0600 key file once, with a warning, then reuses it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pincer-secrets-"));
    dirs.push(dir);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const first = loadOrCreateKeyFile(path.join(dir, "data"));
    expect(first).toHaveLength(32);
    expect(statSync(path.join(dir, "data", "secret.key")).mode & 0o777).toBe(0o600);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(first.toString("base64"));
    expect(loadOrCreateKeyFile(path.join(dir, "data"))).toEqual(first);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
