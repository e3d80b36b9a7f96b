/** The walking chat end to end: the real server in this process, a real SQLite file, real sockets and HTTP. */
import { api, closeAllSockets, connect, login, sleep, uniqueName } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";
import { offlineNotice } from "@/lib/contract/names";
import type { ChatMessage, PresenceEvent } from "@/lib/contract/payloads";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server?.close();
  if (server) removeDatabase(server.databaseFile);
});

const text = (messages: ChatMessage[]) => messages.map((m) => m.message);

describe("direct messages between two connected people", () => {
  test("arrive live, are acked to the sender only after storing, and come back as delivered", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);
    const bobSocket = await connect(server.url, bob.token);

    const ack = await aliceSocket.request("message:send", {
      destination: bob.username,
      message: "hello!",
      clientId: "c1",
    });
    expect(ack).toMatchObject({
      ok: true,
      online: true,
      message: { sender: alice.username, destination: bob.username, message: "hello!", type: "chat", clientId: "c1" },
    });
    expect(new Date(ack.message.timestamp).toISOString()).toBe(ack.message.timestamp);

    const received = await bobSocket.next<ChatMessage>("message");
    expect(received).toMatchObject({ id: ack.message.id, message: "hello!", sender: alice.username });
    expect(received.stored).toBeUndefined();

    const status = await aliceSocket.next("message:status", (s) => s.id === ack.message.id);
    expect(status).toEqual({ id: ack.message.id, status: "delivered" });

    const history = await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token });
    expect(history.body.messages).toHaveLength(1);
    expect(history.body.messages[0].deliveredAt).not.toBeNull();
  });

  test("reach every tab of the recipient, and the sender's other tabs see what was sent", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceTab1 = await connect(server.url, alice.token);
    const aliceTab2 = await connect(server.url, alice.token);
    const bobTab1 = await connect(server.url, bob.token);
    const bobTab2 = await connect(server.url, bob.token);

    const ack = await aliceTab1.request("message:send", { destination: bob.username, message: "to all tabs" });
    for (const tab of [bobTab1, bobTab2, aliceTab2]) {
      expect(await tab.next<ChatMessage>("message")).toMatchObject({ id: ack.message.id, message: "to all tabs" });
    }
    await aliceTab1.next("message:status", (s) => s.id === ack.message.id);
  });

  test("a resend with the same clientId (after a lost ack) returns the stored message instead of storing it twice", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);
    const bobSocket = await connect(server.url, bob.token);
    const first = await aliceSocket.request("message:send", {
      destination: bob.username,
      message: "once",
      clientId: "retry-1",
    });
    const again = await aliceSocket.request("message:send", {
      destination: bob.username,
      message: "once",
      clientId: "retry-1",
    });
    const overHttp = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: bob.username, message: "once", clientId: "retry-1" },
    });
    expect(again.message.id).toBe(first.message.id);
    expect(overHttp.body.message.id).toBe(first.message.id);
    await bobSocket.next("message", (m: ChatMessage) => m.id === first.message.id);
    await sleep(200);
    expect(bobSocket.received.filter((m) => m.message === "once")).toHaveLength(1);
    const history = await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token });
    expect(history.body.messages.map((m: ChatMessage) => m.message)).toEqual(["once"]);
  });

  test("can be sent over HTTP and are routed live exactly like a socket send", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const bobSocket = await connect(server.url, bob.token);

    const sent = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: bob.username, message: "over http" },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ online: true, message: { sender: alice.username, message: "over http" } });
    expect(await bobSocket.next<ChatMessage>("message")).toMatchObject({ id: sent.body.message.id });
  });
});

describe("offline delivery", () => {
  test("a message to someone offline is saved, then delivered in order and marked stored when they connect", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);

    const acks = [];
    for (const message of ["first", "second", "third"]) {
      acks.push(await aliceSocket.request("message:send", { destination: bob.username, message }));
    }
    expect(acks.every((ack) => ack.ok && ack.online === false)).toBe(true);
    expect(offlineNotice(bob.username)).toBe(`User '${bob.username}' is offline. Message saved.`);

    const bobSocket = await connect(server.url, bob.token);
    await bobSocket.next("message", (m: ChatMessage) => m.message === "third");
    expect(text(bobSocket.received)).toEqual(["first", "second", "third"]);
    expect(bobSocket.received.every((m) => m.stored === true)).toBe(true);

    for (const ack of acks)
      await aliceSocket.next("message:status", (s) => s.id === ack.message.id && s.status === "delivered");
    // Delivered once: a later connection gets nothing again.
    const again = await connect(server.url, bob.token);
    await sleep(300);
    expect(again.received).toEqual([]);
  });

  test("two tabs connecting at once each get the backlog once, and the sender hears 'delivered' once", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);
    const statuses = aliceSocket.collect("message:status");
    for (let i = 0; i < 20; i++)
      await aliceSocket.request("message:send", { destination: bob.username, message: `m${i}` });

    const [tab1, tab2] = await Promise.all([connect(server.url, bob.token), connect(server.url, bob.token)]);
    await sleep(1_000);
    for (const tab of [tab1, tab2]) {
      const ids = tab.received.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const delivered = [...tab1.received, ...tab2.received].map((m) => m.message);
    expect(new Set(delivered).size).toBe(20);
    expect(statuses.filter((s) => s.status === "delivered")).toHaveLength(20);
  });

  test("a message not acked by the recipient stays waiting and comes with the next connection", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const bobSilent = await connect(server.url, bob.token, { ack: false });
    const aliceSocket = await connect(server.url, alice.token);
    await aliceSocket.request("message:send", { destination: bob.username, message: "are you there?" });
    await bobSilent.next("message");
    bobSilent.close();

    const bobBack = await connect(server.url, bob.token);
    expect(await bobBack.next<ChatMessage>("message")).toMatchObject({ message: "are you there?", stored: true });
  });

  test("!check returns unseen messages oldest first, marks them seen, and says so to the sender", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: bob.username, message: "one" },
    });
    await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: bob.username, message: "two" },
    });

    const checked = await api(server.url, "/api/messages/check", { method: "POST", token: bob.token });
    expect(checked.status).toBe(200);
    expect(text(checked.body.messages)).toEqual(["one", "two"]);
    expect(checked.body.messages[0].stored).toBe(true);
    const checkedAgain = await api(server.url, "/api/messages/check", { method: "POST", token: bob.token });
    expect(checkedAgain.body.messages).toEqual([]);

    await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: bob.username, message: "three" },
    });
    const bobSocket = await connect(server.url, bob.token, { ack: false });
    await bobSocket.next("message");
    const overSocket = await bobSocket.request("check");
    expect(overSocket).toMatchObject({ ok: true });
    expect(text(overSocket.messages)).toEqual(["three"]);
  });

  test("messages to a username nobody has claimed are refused, not stored", async () => {
    const alice = await login(server.url);
    const ghost = uniqueName("ghost");
    const sent = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: ghost, message: "hi" },
    });
    expect(sent.status).toBe(404);
    expect(sent.body.error).toContain(ghost);
    const socket = await connect(server.url, alice.token);
    expect(await socket.request("message:send", { destination: ghost, message: "hi" })).toEqual({
      ok: false,
      error: `no user named '${ghost}'`,
      code: "not-found",
    });
  });
});

describe("history", () => {
  test("pages back through a conversation oldest first with before and limit", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    for (let i = 0; i < 7; i++) {
      const from = i % 2 === 0 ? alice : bob;
      const to = i % 2 === 0 ? bob : alice;
      await api(server.url, "/api/messages", {
        method: "POST",
        token: from.token,
        json: { destination: to.username, message: `m${i}` },
      });
    }
    const latest = await api(server.url, `/api/messages?with=${bob.username}&limit=3`, { token: alice.token });
    expect(text(latest.body.messages)).toEqual(["m4", "m5", "m6"]);
    const earlier = await api(
      server.url,
      `/api/messages?with=${bob.username}&limit=3&before=${latest.body.messages[0].id}`,
      { token: alice.token },
    );
    expect(text(earlier.body.messages)).toEqual(["m1", "m2", "m3"]);
    const earliest = await api(
      server.url,
      `/api/messages?with=${bob.username}&limit=3&before=${earlier.body.messages[0].id}`,
      { token: alice.token },
    );
    expect(text(earliest.body.messages)).toEqual(["m0"]);
    const fromBobsSide = await api(server.url, `/api/messages?with=${alice.username}&limit=50`, { token: bob.token });
    expect(text(fromBobsSide.body.messages)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
  });

  test("rejects a bad limit and a cursor from another conversation", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const carol = await login(server.url);
    const other = await api(server.url, "/api/messages", {
      method: "POST",
      token: bob.token,
      json: { destination: carol.username, message: "private" },
    });
    expect((await api(server.url, `/api/messages?with=${bob.username}&limit=0`, { token: alice.token })).status).toBe(
      400,
    );
    expect(
      (await api(server.url, `/api/messages?with=${bob.username}&limit=10000`, { token: alice.token })).status,
    ).toBe(400);
    expect((await api(server.url, `/api/messages?with=bad name`, { token: alice.token })).status).toBe(400);
    const leak = await api(server.url, `/api/messages?with=${bob.username}&before=${other.body.message.id}`, {
      token: alice.token,
    });
    expect(leak.status).toBe(400);
  });
});

describe("accounts and sessions", () => {
  test("the first login claims a username, later logins must match, and a wrong password is 401", async () => {
    const username = uniqueName();
    const first = await api(server.url, "/api/session", { method: "POST", json: { username, password: "s3cret" } });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ user: { username }, token: expect.any(String) });
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/chat_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);

    expect(
      (await api(server.url, "/api/session", { method: "POST", json: { username, password: "s3cret" } })).status,
    ).toBe(200);
    const wrong = await api(server.url, "/api/session", { method: "POST", json: { username, password: "guess" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: "wrong username or password", code: "unauthorized" });
  });

  test("repeated wrong passwords lock the name for a while, even against the right password; other names are unaffected", async () => {
    const username = uniqueName();
    const other = uniqueName();
    await login(server.url, username, "right");
    await login(server.url, other, "right");
    for (let i = 0; i < 5; i++) {
      const wrong = await api(server.url, "/api/session", {
        method: "POST",
        json: { username, password: `guess ${i}` },
      });
      expect(wrong).toMatchObject({ status: 401, body: { error: "wrong username or password" } });
    }
    const locked = await api(server.url, "/api/session", { method: "POST", json: { username, password: "right" } });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatch(
      new RegExp(`^too many wrong passwords for '${username}': try again in (2\\d|30) s$`),
    );
    expect(
      (await api(server.url, "/api/session", { method: "POST", json: { username: other, password: "right" } })).status,
    ).toBe(200);
  });

  test("a successful login forgets earlier wrong passwords", async () => {
    const username = uniqueName();
    await login(server.url, username, "right");
    const attempt = (password: string) =>
      api(server.url, "/api/session", { method: "POST", json: { username, password } });
    for (let i = 0; i < 4; i++) expect((await attempt("wrong")).status).toBe(401);
    expect((await attempt("right")).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await attempt("wrong")).status).toBe(401);
    expect((await attempt("right")).status).toBe(200);
  });

  test("the session cookie works for HTTP and for the socket handshake, and logout ends it", async () => {
    const username = uniqueName();
    const first = await api(server.url, "/api/session", { method: "POST", json: { username, password: "pw" } });
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const me = await api(server.url, "/api/session", { headers: { cookie } });
    expect(me.body).toEqual({ user: { username } });

    const { io } = await import("socket.io-client");
    const socket = io(server.url, {
      transports: ["websocket"],
      extraHeaders: { cookie },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    socket.disconnect();

    expect((await api(server.url, "/api/session", { method: "DELETE", headers: { cookie } })).status).toBe(204);
    expect((await api(server.url, "/api/session", { headers: { cookie } })).status).toBe(401);
    expect((await api(server.url, "/api/users", { token: first.body.token })).status).toBe(401);
  });

  test("invalid usernames and bodies are 400 and claim nothing", async () => {
    for (const json of [
      { username: "has space", password: "pw" },
      { username: "colon:name", password: "pw" },
      { username: "x".repeat(33), password: "pw" },
      { username: "", password: "pw" },
      { username: "ok", password: "" },
      { username: "ok", password: "pw", admin: true },
      ["ok", "pw"],
      "ok",
    ]) {
      const response = await api(server.url, "/api/session", { method: "POST", json });
      expect(response.status).toBe(400);
      expect(typeof response.body.error).toBe("string");
    }
    const notJson = await api(server.url, "/api/session", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(notJson).toMatchObject({ status: 400, body: { error: "the request body must be JSON" } });
  });

  test("device names cannot be claimed", async () => {
    const response = await api(server.url, "/api/session", {
      method: "POST",
      json: { username: "thermometer1", password: "pw" },
    });
    expect(response.status).toBe(403);
    expect(
      (await api(server.url, "/api/session", { method: "POST", json: { username: "Thermometer1", password: "pw" } }))
        .status,
    ).toBe(403);
  });

  test("every route but login refuses missing or bad credentials, and so does the socket handshake", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/users"],
      ["GET", "/api/messages?with=bob"],
      ["POST", "/api/messages"],
      ["POST", "/api/messages/check"],
      ["POST", "/api/messages/read"],
      ["GET", "/api/conversations"],
      ["GET", "/api/session"],
      ["DELETE", "/api/session"],
    ];
    for (const [method, route] of routes) {
      expect((await api(server.url, route, { method })).status).toBe(401);
      expect((await api(server.url, route, { method, token: "forged" })).status).toBe(401);
    }
    await expect(connect(server.url, undefined)).rejects.toThrow("unauthorized");
    await expect(connect(server.url, "forged")).rejects.toThrow("unauthorized");
  });

  test("the people list shows who is online and when others were last seen", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);
    const bobSocket = await connect(server.url, bob.token);
    const users = (await api(server.url, "/api/users", { token: alice.token })).body.users;
    expect(users).toContainEqual({ username: bob.username, online: true, lastSeen: expect.any(String) });
    expect(users).toContainEqual(expect.objectContaining({ username: "thermometer1", service: "thermometer" }));

    bobSocket.close();
    const changes: PresenceEvent[] = await aliceSocket.next("presence", (events: PresenceEvent[]) =>
      events.some((p) => p.username === bob.username && p.online === false),
    );
    const bobLeft = changes.find((p) => p.username === bob.username)!;
    expect(new Date(bobLeft.lastSeen!).getTime()).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe("bad input changes nothing and the server keeps serving", () => {
  test("the sender is always the session's user, whatever the payload says", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const mallory = await login(server.url);
    const bobSocket = await connect(server.url, bob.token);
    const forgedSocket = await connect(server.url, mallory.token);

    const forged = await forgedSocket.request("message:send", {
      destination: bob.username,
      message: "hi",
      sender: alice.username,
    });
    expect(forged).toEqual({ ok: false, error: "unknown field: sender", code: "invalid" });
    const http = await api(server.url, "/api/messages", {
      method: "POST",
      token: mallory.token,
      json: { destination: bob.username, message: "hi", sender: alice.username },
    });
    expect(http.status).toBe(400);

    const honest = await forgedSocket.request("message:send", { destination: bob.username, message: "it's me" });
    expect((await bobSocket.next<ChatMessage>("message")).sender).toBe(mallory.username);
    expect(honest.message.sender).toBe(mallory.username);
    const aliceHistory = await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token });
    expect(aliceHistory.body.messages).toEqual([]);
  });

  test("invalid socket payloads get a clear error in the ack and store nothing", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const socket = await connect(server.url, alice.token);
    const cases: [unknown, string][] = [
      [{ destination: bob.username, message: "" }, "message must not be empty"],
      [{ destination: bob.username, message: "   \n\t " }, "message must not be empty"],
      [{ destination: bob.username, message: "x".repeat(4001) }, "message must be at most 4000 characters"],
      [{ destination: bob.username, message: 42 }, "message must be a string"],
      [{ destination: bob.username }, "message is required"],
      [{ destination: "no spaces allowed", message: "hi" }, "username must be 1–32 letters, digits, '_', '.' or '-'"],
      [{ destination: bob.username, message: "hi", extra: 1 }, "unknown field: extra"],
      ["bob: hi", "expected a JSON object"],
      [null, "expected a JSON object"],
      [[1, 2], "expected a JSON object"],
      [{ destination: alice.username, message: "me" }, "you cannot send a message to yourself"],
    ];
    for (const [payload, error] of cases) {
      expect(await socket.request("message:send", payload)).toEqual({
        ok: false,
        error: expect.stringContaining(error),
        code: "invalid",
      });
    }
    // An event without an ack is ignored rather than crashing anything.
    socket.socket.emit("message:send", { destination: bob.username, message: "no ack" });

    const history = await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token });
    expect(history.body.messages).toEqual([]);
    expect(
      await socket.request("message:send", { destination: bob.username, message: "x".repeat(4000) }),
    ).toMatchObject({ ok: true });
  });

  test("invalid HTTP bodies are 400 with {error} and store nothing", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    for (const json of [
      { destination: bob.username, message: " " },
      { destination: bob.username },
      { message: "hi" },
      [],
      7,
    ]) {
      const response = await api(server.url, "/api/messages", { method: "POST", token: alice.token, json });
      expect(response.status).toBe(400);
      expect(typeof response.body.error).toBe("string");
    }
    const history = await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token });
    expect(history.body.messages).toEqual([]);
  });
});
