// Encrypts secrets at rest (provider API keys, git credentials) with AES-256-GCM. The key comes
// from PINCER_SECRET_KEY, or from DATA_DIR/secret.key, generated on first use. Never log values.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeSecretKey, env } from "./env";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Reads DATA_DIR/secret.key, creating it (mode 0600) the first time. */
export function loadOrCreateKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, "secret.key");
  if (existsSync(file)) {
    const key = decodeSecretKey(readFileSync(file, "utf8"));
    if (!key) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  console.warn(
    `[pincer] Generated a new encryption key at ${file}. Back it up: stored provider keys and credentials cannot be decrypted without it (or set PINCER_SECRET_KEY).`,
  );
  return key;
}

let cachedKey: Buffer | undefined;
function secretKey(): Buffer {
  cachedKey ??= env.PINCER_SECRET_KEY ? decodeSecretKey(env.PINCER_SECRET_KEY) : loadOrCreateKeyFile(env.DATA_DIR);
  if (!cachedKey) throw new Error("PINCER_SECRET_KEY is not a 32-byte key");
  return cachedKey;
}

/** A key for another purpose (e.g. signing session cookies), derived so one secret is enough to back up. */
export function deriveSecret(purpose: string, key: Buffer = secretKey()): string {
  return createHmac("sha256", key).update(`pincer:${purpose}`).digest("base64url");
}

/** `v1:<iv>:<tag>:<ciphertext>`, base64 parts. */
export function encryptSecret(plain: string, key: Buffer = secretKey()): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), ciphertext.toString("base64")].join(":");
}

/** Decrypts what encryptSecret produced; throws (without the value) when tampered or the key is wrong. */
export function decryptSecret(stored: string, key: Buffer = secretKey()): string {
  const [version, iv, tag, ciphertext, ...rest] = stored.split(":");
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
    throw new Error("Not an encrypted secret");
  }
  const ivBytes = Buffer.from(iv, "base64");
  const tagBytes = Buffer.from(tag, "base64");
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new Error("Not an encrypted secret");
  const decipher = createDecipheriv("aes-256-gcm", key, ivBytes);
  decipher.setAuthTag(tagBytes);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("Could not decrypt secret: wrong key or corrupted value");
  }
}
