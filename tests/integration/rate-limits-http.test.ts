/**
 * One allowance per person, whichever door they use: sends through a socket and POST /api/messages take
 * from SEND_LIMIT_PER_USER together, checks (socket `check`, POST /api/messages/check) from
 * CHECK_LIMIT_PER_USER, read receipts (`message:read`, POST /api/messages/read) from READ_LIMIT_PER_USER.
 * A refusal is a 429 with a clear JSON error and Retry-After over HTTP, `{ok: false, error}` on a socket,
 * and changes nothing. The real server, with allowances small enough to use up (and refilling slowly, so
 * what is used up stays used up while a test runs).
 */
import { api, closeAllSockets, connect, login } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      SEND_LIMIT_PER_SOCKET: "1000,1000",
      SEND_LIMIT_PER_USER: "0.01,3",
      CHECK_LIMIT_PER_USER: "0.01,2",
      READ_LIMIT_PER_USER: "0.01,2",
    },
  });
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server.close();
  removeDatabase(server.databaseFile);
});

const post = (route: string, token: string, json?: unknown) =>
  api(server.url, route, { method: "POST", token, ...(json === undefined ? {} : { json }) });

/** Retry-After in whole seconds: at least 1, and about the time one more token takes (100 s at 0.01 a second). */
function expectRetryAfter(headers: Headers): void {
  const seconds = Number(headers.get("retry-after"));
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(100);
}

test("sends through a socket and through HTTP use one per-person allowance", async () => {
  const alice = await login(server.url);
  const bob = await login(server.url);
  const socket = await connect(server.url, alice.token);
  const send = (message: string) => ({ destination: bob.username, message });

  expect(await socket.request("message:send", send("one"))).toMatchObject({ ok: true });
  expect(await post("/api/messages", alice.token, send("two"))).toMatchObject({ status: 201 });
  expect(await socket.request("message:send", send("three"))).toMatchObject({ ok: true });

  const refusedHttp = await post("/api/messages", alice.token, send("four"));
  expect(refusedHttp).toMatchObject({
    status: 429,
    body: { error: "too many messages: slow down (at most 0.01 a second per person)" },
  });
  expectRetryAfter(refusedHttp.headers);
  // Refused before its body is read: a body that is not even JSON gets the same 429.
  const unread = await api(server.url, "/api/messages", {
    method: "POST",
    token: alice.token,
    headers: { "content-type": "application/json" },
    body: "{not json",
  });
  expect(unread).toMatchObject({ status: 429, body: { code: "rate-limited" } });
  expect(await socket.request("message:send", send("five"))).toEqual({
    ok: false,
    error: "too many messages: slow down (at most 1000 a second per connection, 0.01 per person)",
    code: "rate-limited",
    retryAfterSeconds: expect.any(Number),
  });

  // Nothing refused was stored, and someone else's allowance is their own.
  const history = await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token });
  expect(history.body.messages.map((m: { message: string }) => m.message)).toEqual(["one", "two", "three"]);
  expect(await post("/api/messages", bob.token, { destination: alice.username, message: "hi" })).toMatchObject({
    status: 201,
  });
});

test("checks through a socket and through HTTP use one per-person allowance", async () => {
  const alice = await login(server.url);
  const socket = await connect(server.url, alice.token);

  expect(await socket.request("check", {})).toMatchObject({ ok: true, messages: [] });
  expect(await post("/api/messages/check", alice.token)).toMatchObject({ status: 200, body: { messages: [] } });

  const refusedHttp = await post("/api/messages/check", alice.token);
  expect(refusedHttp).toMatchObject({
    status: 429,
    body: { error: "too many checks: slow down (at most 0.01 a second per person)" },
  });
  expectRetryAfter(refusedHttp.headers);
  expect(await socket.request("check", {})).toEqual({
    ok: false,
    error: "too many checks: slow down (at most 0.01 a second per person)",
    code: "rate-limited",
    retryAfterSeconds: expect.any(Number),
  });
});

test("read receipts through a socket and through HTTP use one per-person allowance, and a refused one marks nothing", async () => {
  const alice = await login(server.url);
  const bob = await login(server.url);
  const socket = await connect(server.url, alice.token);

  expect(await socket.request("message:read", { with: bob.username })).toEqual({ ok: true, ids: [] });
  expect(await post("/api/messages/read", alice.token, { with: bob.username })).toMatchObject({
    status: 200,
    body: { ids: [] },
  });

  await post("/api/messages", bob.token, { destination: alice.username, message: "unread" });
  const refusedHttp = await post("/api/messages/read", alice.token, { with: bob.username });
  expect(refusedHttp).toMatchObject({
    status: 429,
    body: { error: "too many read receipts: slow down (at most 0.01 a second per person)" },
  });
  expectRetryAfter(refusedHttp.headers);
  expect(await socket.request("message:read", { with: bob.username })).toEqual({
    ok: false,
    error: "too many read receipts: slow down (at most 0.01 a second per person)",
    code: "rate-limited",
    retryAfterSeconds: expect.any(Number),
  });
  const history = await api(server.url, `/api/messages?with=${alice.username}`, { token: bob.token });
  expect(history.body.messages).toHaveLength(1);
  expect(history.body.messages[0].readAt ?? null).toBeNull();
});
