import {
  hashPassword,
  sessionCookieName,
  hashSessionToken,
  newSessionToken,
  tokenFromAuthorizationHeader,
  tokenFromCookieHeader,
  verifyPassword,
} from "@/lib/accounts/auth";

test("a password verifies against its own hash only, and each hash has its own salt", async () => {
  const hash = await hashPassword("correct horse");
  expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  expect(await verifyPassword("correct horse", hash)).toBe(true);
  expect(await verifyPassword("correct horsf", hash)).toBe(false);
  expect(await verifyPassword("", hash)).toBe(false);
  expect(await hashPassword("correct horse")).not.toBe(hash);
});

test("malformed stored hashes never verify", async () => {
  expect(await verifyPassword("pw", "plaintext")).toBe(false);
  expect(await verifyPassword("pw", "bcrypt$x$y")).toBe(false);
});

test("session tokens are long and random, and stored only as a hash", () => {
  const token = newSessionToken();
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(newSessionToken()).not.toBe(token);
  expect(hashSessionToken(token)).not.toContain(token);
  expect(hashSessionToken(token)).toBe(hashSessionToken(token));
});

test("a malformed session cookie is no token, never an exception; the TLS name wins", () => {
  expect(tokenFromCookieHeader("chat_session=%E0%A4%A")).toBeUndefined();
  expect(tokenFromCookieHeader("chat_session=")).toBeUndefined();
  expect(tokenFromCookieHeader("chat_session")).toBeUndefined();
  expect(tokenFromCookieHeader(";;=;")).toBeUndefined();
  expect(tokenFromCookieHeader("__Host-chat_session=tls; chat_session=plain")).toBe("tls");
  expect(tokenFromCookieHeader("chat_session=first; chat_session=second")).toBe("first");
  expect(sessionCookieName(true)).toBe("__Host-chat_session");
  expect(sessionCookieName(false)).toBe("chat_session");
});

test("tokens are read from the cookie or a Bearer header", () => {
  expect(tokenFromCookieHeader("theme=dark; chat_session=abc%3D; other=1")).toBe("abc=");
  expect(tokenFromCookieHeader("theme=dark")).toBeUndefined();
  expect(tokenFromCookieHeader(undefined)).toBeUndefined();
  expect(tokenFromAuthorizationHeader("Bearer abc")).toBe("abc");
  expect(tokenFromAuthorizationHeader("bearer abc")).toBe("abc");
  expect(tokenFromAuthorizationHeader("Basic abc")).toBeUndefined();
  expect(tokenFromAuthorizationHeader(null)).toBeUndefined();
});
