/** The edge's rules, one by one: forwarded headers, the cross-site rule, body limits, headers and settings. */
import type { IncomingMessage } from "node:http";
import { loadConfig } from "@/server/config";
import { declaresMoreThan, isJsonContentType, readLimitedText } from "@/server/http/body";
import { publicOriginOf, trustedForwardedEntry } from "@/server/http/forwarded";
import { changesState, isCrossSite } from "@/server/http/origin";
import { pagePolicy } from "@/server/http/security-headers";

function fakeRequest(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted, remoteAddress: "127.0.0.1" } } as unknown as IncomingMessage;
}

test("a forwarding header is believed only as far as the trusted hops reach", () => {
  expect(trustedForwardedEntry("a, b, c", 0)).toBeUndefined();
  expect(trustedForwardedEntry("a, b, c", 1)).toBe("c");
  expect(trustedForwardedEntry("a, b, c", 2)).toBe("b");
  expect(trustedForwardedEntry("a, b, c", 5)).toBe("a");
  expect(trustedForwardedEntry(["a, b", "c"], 2)).toBe("b");
  expect(trustedForwardedEntry(undefined, 1)).toBeUndefined();
  expect(trustedForwardedEntry(" , ", 1)).toBeUndefined();
});

test("the public origin is the connection's scheme and Host, or the trusted proxy's", () => {
  expect(publicOriginOf(fakeRequest({ host: "Chat.Example:80" }), 0)).toBe("http://chat.example");
  expect(publicOriginOf(fakeRequest({ host: "chat.example:8443" }, true), 0)).toBe("https://chat.example:8443");
  expect(publicOriginOf(fakeRequest({ host: "[::1]:3000" }), 0)).toBe("http://[::1]:3000");
  const proxied = { host: "127.0.0.1:3000", "x-forwarded-host": "chat.example", "x-forwarded-proto": "https" };
  expect(publicOriginOf(fakeRequest(proxied), 0)).toBe("http://127.0.0.1:3000");
  expect(publicOriginOf(fakeRequest(proxied), 1)).toBe("https://chat.example");
  for (const host of ["", "evil.example/path", "a@b", "chat.example:port"]) {
    expect(publicOriginOf(fakeRequest({ host }), 0)).toBeUndefined();
  }
  expect(publicOriginOf(fakeRequest({ ...proxied, "x-forwarded-proto": "gopher" }), 1)).toBeUndefined();
});

test("the cross-site rule: Sec-Fetch-Site first, then Origin against the public origin, then listed origins", () => {
  const own = { "x-chat-edge-origin": "https://chat.example" };
  const none = new Set<string>();
  const listed = new Set(["https://app.example"]);
  expect(isCrossSite({ ...own }, none)).toBe(false); // no browser, no victim
  expect(isCrossSite({ ...own, origin: "https://chat.example" }, none)).toBe(false);
  expect(isCrossSite({ ...own, origin: "https://evil.example" }, none)).toBe(true);
  expect(isCrossSite({ ...own, origin: "null" }, none)).toBe(true);
  expect(isCrossSite({ ...own, origin: "http://chat.example" }, none)).toBe(true);
  expect(isCrossSite({ ...own, "sec-fetch-site": "same-origin", origin: "https://x.example" }, none)).toBe(false);
  expect(isCrossSite({ ...own, "sec-fetch-site": "none" }, none)).toBe(false);
  expect(isCrossSite({ ...own, "sec-fetch-site": "same-site" }, none)).toBe(true);
  expect(isCrossSite({ ...own, "sec-fetch-site": "cross-site", origin: "https://app.example" }, none)).toBe(true);
  expect(isCrossSite({ ...own, "sec-fetch-site": "cross-site", origin: "https://app.example" }, listed)).toBe(false);
  expect(isCrossSite(new Headers({ ...own, origin: "https://evil.example" }), none)).toBe(true);
  expect(isCrossSite({ origin: "https://chat.example" }, none)).toBe(true); // no usable Host: nothing matches
  expect(["GET", "HEAD", "OPTIONS"].map(changesState)).toEqual([false, false, false]);
  expect(["POST", "PUT", "PATCH", "DELETE", "PROPFIND"].map(changesState)).toEqual([true, true, true, true, true]);
});

test("bodies: JSON content types, declared lengths, and a stream cut off at the limit", async () => {
  expect(isJsonContentType("application/json")).toBe(true);
  expect(isJsonContentType("Application/JSON; charset=utf-8")).toBe(true);
  expect(isJsonContentType("text/plain")).toBe(false);
  expect(isJsonContentType("application/jsonp")).toBe(false);
  expect(isJsonContentType(null)).toBe(false);
  expect(declaresMoreThan("65537", 65_536)).toBe(true);
  expect(declaresMoreThan("65536", 65_536)).toBe(false);
  expect(declaresMoreThan(undefined, 65_536)).toBe(false);
  expect(declaresMoreThan("nonsense", 65_536)).toBe(false);

  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new Uint8Array(1024));
    },
  });
  const request = new Request("http://x/", { method: "POST", body: endless, duplex: "half" } as RequestInit);
  await expect(readLimitedText(request, 10 * 1024)).rejects.toMatchObject({ status: 413 });
  expect(pulled).toBeLessThan(20);
  const small = new Request("http://x/", { method: "POST", body: '{"a":"é"}' });
  expect(await readLimitedText(small, 1024)).toBe('{"a":"é"}');
});

test("the page policy: a nonce and no inline scripts in production; eval only in development", () => {
  const production = pagePolicy("abc", "https://chat.example", false);
  expect(production).toContain("script-src 'self' 'nonce-abc';");
  expect(production).toContain("connect-src 'self' wss://chat.example;");
  expect(production).not.toMatch(/unsafe/);
  expect(pagePolicy("abc", "http://localhost:3000", true)).toMatch(/script-src 'self' 'nonce-abc' 'unsafe-eval'/);
});

describe("edge settings", () => {
  const env = (variables: Record<string, string>) => ({ NODE_ENV: "production", ...variables }) as NodeJS.ProcessEnv;

  test("defaults fit people: 64 KiB bodies, no proxy, no extra origins, plain HTTP, a year of HSTS, 10 logins then 1 a second", () => {
    expect(loadConfig(env({})).http).toEqual({
      maxBodyBytes: 65_536,
      allowedOrigins: new Set(),
      trustProxyHops: 0,
      tls: undefined,
      hstsMaxAge: 31_536_000,
      accountRequestsPerAddress: { perSecond: 1, burst: 10 },
    });
  });

  test("each setting is read and checked", () => {
    const config = loadConfig(
      env({
        MAX_BODY_BYTES: "1048576",
        ALLOWED_ORIGINS: "https://app.example, http://localhost:5173/",
        TRUST_PROXY: "true",
        TLS_CERT: "cert.pem",
        TLS_KEY: "key.pem",
        HSTS_MAX_AGE: "0",
        ACCOUNT_REQUESTS_PER_ADDRESS: "0.2,3",
      }),
    );
    expect(config.http).toEqual({
      maxBodyBytes: 1_048_576,
      allowedOrigins: new Set(["https://app.example", "http://localhost:5173"]),
      trustProxyHops: 1,
      tls: { certFile: "cert.pem", keyFile: "key.pem" },
      hstsMaxAge: 0,
      accountRequestsPerAddress: { perSecond: 0.2, burst: 3 },
    });
    expect(loadConfig(env({ TRUST_PROXY: "false" })).http.trustProxyHops).toBe(0);
    expect(loadConfig(env({ TRUST_PROXY: "2" })).http.trustProxyHops).toBe(2);
  });

  test.each([
    [{ MAX_BODY_BYTES: "10" }, /MAX_BODY_BYTES/],
    [{ ALLOWED_ORIGINS: "https://app.example/path" }, /ALLOWED_ORIGINS/],
    [{ ALLOWED_ORIGINS: "ftp://app.example" }, /ALLOWED_ORIGINS/],
    [{ TRUST_PROXY: "yes" }, /TRUST_PROXY/],
    [{ ACCOUNT_REQUESTS_PER_ADDRESS: "5" }, /ACCOUNT_REQUESTS_PER_ADDRESS: must be '<per second>,<burst>'/],
    [{ TRUST_PROXY: "11" }, /TRUST_PROXY/],
    [{ TLS_CERT: "cert.pem" }, /TLS_KEY: TLS_CERT and TLS_KEY go together/],
    [{ HSTS_MAX_AGE: "-1" }, /HSTS_MAX_AGE/],
  ])("a bad value stops the start: %j", (variables, message) => {
    expect(() => loadConfig(env(variables))).toThrow(message);
  });
});
