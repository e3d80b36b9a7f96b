/**
 * The HTTP edge against the real server process: body limits, cross-site requests, connection hygiene and
 * security headers. Raw node:http and node:net where a test needs control over what goes on the wire.
 */
import http from "node:http";
import net from "node:net";
import { io } from "socket.io-client";
import { api, closeAllSockets, login, uniqueName, type Person } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";

/** The default server, and one with every edge setting changed. */
let server: ServerProcess;
let tuned: ServerProcess;
const TUNED_LIMIT = 2048;
const LISTED_ORIGIN = "https://app.example";

beforeAll(async () => {
  [server, tuned] = await Promise.all([
    startTestServerProcess(),
    startTestServerProcess({
      env: {
        MAX_BODY_BYTES: String(TUNED_LIMIT),
        ALLOWED_ORIGINS: `${LISTED_ORIGIN}, https://other.example`,
        TRUST_PROXY: "1",
      },
    }),
  ]);
}, 90_000);
afterEach(() => closeAllSockets());
afterAll(async () => {
  for (const running of [server, tuned]) {
    if (!running) continue;
    await running.stop();
    removeDatabase(running.databaseFile);
  }
});

/** The session cookie (`name=value`) a login sets, as a browser would send it back. */
async function loginWithCookie(baseUrl: string): Promise<Person & { cookie: string }> {
  const username = uniqueName("edge");
  const response = await api(baseUrl, "/api/session", { method: "POST", json: { username, password: "pw" } });
  expect(response.status).toBe(201);
  return { username, token: response.body.token, cookie: response.headers.get("set-cookie")!.split(";")[0]! };
}

/**
 * Sends the head of a request and `sendBytes` of its body without ever finishing it, and resolves with the
 * answer the server gives while the body is still incomplete. Rejects when there is none within `timeoutMs`:
 * a server that buffers whole bodies never answers here.
 */
function answerBeforeBodyEnds(
  baseUrl: string,
  path: string,
  headers: http.OutgoingHttpHeaders,
  sendBytes: number,
  timeoutMs = 5_000,
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, baseUrl), { method: "POST", headers });
    let sent = 0;
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms after ${sent} bytes of an unfinished body`));
    }, timeoutMs);
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode!, body, sent });
      });
    });
    request.on("error", () => {}); // the server may close while we still write: the answer is what counts
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const write = () => {
      while (sent < sendBytes && !request.destroyed) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", write);
      }
    };
    write();
  });
}

describe("request bodies", () => {
  test("a body declared larger than the limit is refused with 413 before it is read", async () => {
    const answer = await answerBeforeBodyEnds(
      server.url,
      "/api/session",
      { "content-type": "application/json", "content-length": 200 * 1024 * 1024 },
      1024 * 1024,
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/too large/), code: "too-large" });
  });

  test("a body without a length is counted while it streams and refused with 413 at the limit", async () => {
    const answer = await answerBeforeBodyEnds(
      server.url,
      "/api/session",
      { "content-type": "application/json", "transfer-encoding": "chunked" },
      8 * 1024 * 1024,
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/too large/), code: "too-large" });
  });

  test("the default limit fits the longest message; MAX_BODY_BYTES lowers it", async () => {
    const longest = "x".repeat(4_000);
    for (const target of [server, tuned]) {
      const alice = await login(target.url);
      const bob = await login(target.url);
      const send = await api(target.url, "/api/messages", {
        method: "POST",
        token: alice.token,
        json: { destination: bob.username, message: longest },
      });
      expect(send.status).toBe(target === server ? 201 : 413);
    }
    const small = await login(tuned.url);
    expect(small.token).toEqual(expect.any(String));
  });

  test("JSON routes refuse other content types with 415", async () => {
    const body = JSON.stringify({ username: uniqueName(), password: "pw" });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      // fetch labels a string body text/plain; bytes go without a content type.
      const response = await api(server.url, "/api/session", {
        method: "POST",
        body: type ? body : Buffer.from(body),
        headers: type ? { "content-type": type } : {},
      });
      expect(response).toMatchObject({ status: 415, body: { error: expect.stringMatching(/application\/json/) } });
    }
    const charset = await api(server.url, "/api/session", {
      method: "POST",
      body,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(charset.status).toBe(201);
  });
});

describe("cross-site requests", () => {
  const FOREIGN = "https://evil.example";

  test("a cookie-authenticated POST from a foreign Origin is refused with 403 and stores nothing", async () => {
    const alice = await loginWithCookie(server.url);
    const bob = await login(server.url);
    const body = JSON.stringify({ destination: bob.username, message: "sent by another site" });
    for (const type of ["text/plain", "application/json"]) {
      const response = await api(server.url, "/api/messages", {
        method: "POST",
        body,
        headers: { cookie: alice.cookie, origin: FOREIGN, "content-type": type },
      });
      expect(response).toMatchObject({ status: 403, body: { error: "cross-site request refused" } });
    }
    const history = await api(server.url, `/api/messages?with=${alice.username}`, { token: bob.token });
    expect(history.body.messages).toEqual([]);
  });

  test("Sec-Fetch-Site decides for browsers: cross-site and same-site are refused, same-origin passes", async () => {
    const alice = await loginWithCookie(server.url);
    const check = (site: string) =>
      api(server.url, "/api/messages/check", {
        method: "POST",
        headers: { cookie: alice.cookie, "sec-fetch-site": site },
      });
    expect((await check("cross-site")).status).toBe(403);
    expect((await check("same-site")).status).toBe(403);
    expect((await check("same-origin")).status).toBe(200);
  });

  test("logging out and logging in from a foreign page are refused too; the session lives on", async () => {
    const alice = await loginWithCookie(server.url);
    const logout = await api(server.url, "/api/session", {
      method: "DELETE",
      headers: { cookie: alice.cookie, origin: FOREIGN },
    });
    expect(logout.status).toBe(403);
    expect((await api(server.url, "/api/session", { headers: { cookie: alice.cookie } })).status).toBe(200);
    const foreignLogin = await api(server.url, "/api/session", {
      method: "POST",
      headers: { origin: FOREIGN },
      json: { username: uniqueName(), password: "pw" },
    });
    expect(foreignLogin.status).toBe(403);
  });

  test("the page's own origin, clients without Origin, Bearer tokens and reads still work", async () => {
    const alice = await loginWithCookie(server.url);
    const bob = await login(server.url);
    const json = { destination: bob.username, message: "hi" };
    const post = (headers: Record<string, string>, token?: string) =>
      api(server.url, "/api/messages", { method: "POST", headers, json, token });
    expect((await post({ cookie: alice.cookie, origin: server.url })).status).toBe(201);
    expect((await post({ cookie: alice.cookie })).status).toBe(201);
    expect((await post({ origin: FOREIGN }, alice.token)).status).toBe(201);
    const read = await api(server.url, "/api/users", { headers: { cookie: alice.cookie, origin: FOREIGN } });
    expect(read.status).toBe(200);
  });

  test("ALLOWED_ORIGINS lets listed origins in, and nobody else", async () => {
    const alice = await loginWithCookie(tuned.url);
    const check = (origin: string) =>
      api(tuned.url, "/api/messages/check", { method: "POST", headers: { cookie: alice.cookie, origin } });
    expect((await check(LISTED_ORIGIN)).status).toBe(200);
    expect((await check("https://other.example")).status).toBe(200);
    expect((await check(FOREIGN)).status).toBe(403);
  });

  test("behind a trusted proxy the forwarded host and proto are the page's origin, and HTTPS gets a __Host- cookie", async () => {
    const forwarded = { "x-forwarded-host": "chat.example", "x-forwarded-proto": "https" };
    const username = uniqueName("proxied");
    const loggedIn = await api(tuned.url, "/api/session", {
      method: "POST",
      headers: forwarded,
      json: { username, password: "pw" },
    });
    const setCookie = loggedIn.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^__Host-chat_session=[^;]+; Path=\/; .*Secure/);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(loggedIn.headers.get("strict-transport-security")).toBe("max-age=31536000");
    const cookie = setCookie.split(";")[0]!;
    const check = (headers: Record<string, string>) =>
      api(tuned.url, "/api/messages/check", { method: "POST", headers: { cookie, ...headers } });
    expect((await check({ ...forwarded, origin: "https://chat.example" })).status).toBe(200);
    expect((await check({ ...forwarded, origin: "http://chat.example" })).status).toBe(403);
    // Over HTTPS only the __Host- cookie counts: a plain one could have been planted.
    const plain = await loginWithCookie(tuned.url);
    const planted = await api(tuned.url, "/api/session", { headers: { ...forwarded, cookie: plain.cookie } });
    expect(planted.status).toBe(401);
    // Without TRUST_PROXY the same headers are anyone's words: the Host the request came to counts.
    const direct = await loginWithCookie(server.url);
    const untrusted = await api(server.url, "/api/messages/check", {
      method: "POST",
      headers: { cookie: direct.cookie, ...forwarded, origin: "https://chat.example" },
    });
    expect(untrusted.status).toBe(403);
  });

  test("a WebSocket from a foreign Origin is refused with the cookie, and accepted with a token", async () => {
    const alice = await loginWithCookie(server.url);
    const attempt = (options: { cookie?: string; origin: string; token?: string }) => {
      const socket = io(server.url, {
        transports: ["websocket"],
        extraHeaders: { origin: options.origin, ...(options.cookie ? { cookie: options.cookie } : {}) },
        auth: options.token ? { token: options.token } : {},
        reconnection: false,
        forceNew: true,
      });
      return new Promise<string>((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", (error) => resolve(error.message));
      }).finally(() => socket.disconnect());
    };
    expect(await attempt({ cookie: alice.cookie, origin: FOREIGN })).toBe("cross-site request refused");
    expect(await attempt({ cookie: alice.cookie, origin: server.url })).toBe("connected");
    expect(await attempt({ origin: FOREIGN, token: alice.token })).toBe("connected");
  });
});

describe("connection hygiene", () => {
  test("upgrade requests to unknown paths are answered and closed, not left open", async () => {
    const { port } = new URL(server.url);
    const outcomes = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<{ answer: string; closed: boolean }>((resolve) => {
            const socket = net.connect(Number(port), "127.0.0.1");
            let answer = "";
            const timer = setTimeout(() => {
              socket.destroy();
              resolve({ answer, closed: false });
            }, 3_000);
            socket.setEncoding("utf8");
            socket.on("data", (chunk) => (answer += chunk));
            socket.on("error", () => {});
            socket.on("close", () => {
              clearTimeout(timer);
              resolve({ answer, closed: true });
            });
            socket.write(
              "GET /not-a-socket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            );
          }),
      ),
    );
    for (const outcome of outcomes) {
      expect(outcome.answer).toMatch(/^HTTP\/1\.1 404 /);
      expect(outcome.closed).toBe(true);
    }
  });

  test("a malformed session cookie on the handshake is a plain unauthorized, and nothing is logged", async () => {
    const logged = server.output().length;
    for (let attempt = 0; attempt < 3; attempt++) {
      const socket = io(server.url, {
        transports: ["websocket"],
        extraHeaders: { cookie: "chat_session=%E0%A4%A" },
        reconnection: false,
        forceNew: true,
      });
      const outcome = await new Promise<string>((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", (error) => resolve(error.message));
      });
      socket.disconnect();
      expect(outcome).toBe("unauthorized");
    }
    const http401 = await api(server.url, "/api/session", { headers: { cookie: "chat_session=%E0%A4%A" } });
    expect(http401.status).toBe(401);
    expect(server.output().slice(logged)).toBe("");
  });
});

describe("security headers", () => {
  const COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  };

  test("the page has a strict CSP with a fresh nonce on every script, and the other headers", async () => {
    const pages = await Promise.all([fetch(server.url), fetch(server.url)]);
    const nonces: string[] = [];
    for (const page of pages) {
      expect(page.status).toBe(200);
      for (const [name, value] of Object.entries(COMMON)) expect(page.headers.get(name)).toBe(value);
      expect(page.headers.get("permissions-policy")).toMatch(/camera=\(\)/);
      expect(page.headers.get("strict-transport-security")).toBeNull(); // plain HTTP: no HSTS
      const csp = page.headers.get("content-security-policy")!;
      const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d] as const));
      expect(directives.get("frame-ancestors")).toBe("frame-ancestors 'none'");
      expect(directives.get("object-src")).toBe("object-src 'none'");
      expect(directives.get("connect-src")).toContain(server.url.replace("http:", "ws:"));
      const scriptSrc = directives.get("script-src")!;
      expect(scriptSrc).not.toContain("unsafe-inline");
      expect(scriptSrc).not.toContain("unsafe-eval");
      const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1]!;
      nonces.push(nonce);
      const html = await page.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  test("API responses, errors and Socket.IO's own responses carry them too", async () => {
    const responses = [
      await fetch(`${server.url}/api/users`),
      await fetch(`${server.url}/api/session`, { method: "POST", headers: { "content-type": "text/plain" } }),
      await fetch(`${server.url}/no-such-page`),
      await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`),
    ];
    for (const response of responses) {
      for (const [name, value] of Object.entries(COMMON))
        expect([response.url, name, response.headers.get(name)]).toEqual([response.url, name, value]);
      expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    }
    expect(responses.map((r) => r.status)).toEqual([401, 415, 404, 200]);
  });
});
