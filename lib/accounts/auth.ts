/**
 * Password hashing and session tokens, with node:crypto only. (How often passwords may be tried: login-throttle.ts.)
 * Hash format: `scrypt$<N>$<r>$<p>$<salt base64>$<key base64>` so cost can rise later without breaking old hashes.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

const KEY_LENGTH = 32;
const DEFAULT_COST: Required<Pick<ScryptOptions, "N" | "r" | "p">> = { N: 16384, r: 8, p: 1 };

/** The session cookie's name over plain HTTP. */
const SESSION_COOKIE = "chat_session";
/**
 * Its name over TLS. Browsers accept a `__Host-` cookie only from a secure origin, with `Secure`, `Path=/` and no
 * `Domain`, so neither a plain-HTTP page nor a sibling domain can plant or overwrite it.
 */
const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

function deriveKey(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, DEFAULT_COST);
  const { N, r, p } = DEFAULT_COST;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await deriveKey(password, Buffer.from(salt, "base64"), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new bearer token: 256 random bits, URL-safe. Only its hash is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens are stored hashed so a leaked database does not hand out live sessions. */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** The one place that chooses the session cookie's name: `__Host-chat_session` over TLS, `chat_session` otherwise. */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/**
 * Finds the session token in a Cookie header, under the TLS name first. The server's edge removes the name that
 * does not fit how a request came (see server/http/request-facts.ts), so a reader never has to know.
 * The header is anyone's words: a malformed value is no token, never an exception.
 */
export function tokenFromCookieHeader(cookieHeader: string | undefined | null): string | undefined {
  if (!cookieHeader) return undefined;
  const values = new Map<string, string>();
  for (const part of cookieHeader.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if ((name === SECURE_SESSION_COOKIE || name === SESSION_COOKIE) && !values.has(name))
      values.set(name, value.join("="));
  }
  const raw = values.get(SECURE_SESSION_COOKIE) ?? values.get(SESSION_COOKIE);
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw) || undefined;
  } catch {
    return undefined;
  }
}

/** Finds the session token in an `Authorization: Bearer …` header. */
export function tokenFromAuthorizationHeader(header: string | undefined | null): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}
