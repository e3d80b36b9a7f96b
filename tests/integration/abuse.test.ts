/**
 * What one client may cost the server: control characters, rate limits on sends and typing, the cap
 * on sockets per person, and `check` in pages. The real server process with its default limits.
 */
import { api, closeAllSockets, connect, login, sleep, uniqueName, type TestSocket } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { insertRawMessages } from "../support/sqlite";
import type { ChatMessage } from "@/lib/contract/payloads";

let server: ServerProcess;

beforeAll(async () => {
  server = await startTestServerProcess();
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

const CONTROL_ERROR = "message must not contain control characters (only newline and tab)";

describe("control characters", () => {
  test.each([
    ["an escape sequence that clears the screen", "look \u001b[2J"],
    ["an OSC sequence that sets the window title", "\u001b]0;pwned\u0007hi"],
    ["a C1 control (CSI)", "hi \u009b2J"],
    ["a carriage return", "innocent\r[2026-01-01 00:00:00][carol] fake"],
    ["a DEL", "x\u007f"],
    ["a NUL", "x\u0000y"],
  ])("are refused in message text on the socket and over HTTP: %s", async (_what, text) => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const socket = await connect(server.url, alice.token);
    expect(await socket.request("message:send", { destination: bob.username, message: text })).toEqual({
      ok: false,
      error: CONTROL_ERROR,
      code: "invalid",
    });
    const http = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: bob.username, message: text },
    });
    expect(http).toMatchObject({ status: 400, body: { error: CONTROL_ERROR } });
    expect((await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token })).body.messages).toEqual(
      [],
    );
  });

  test("newlines and tabs are text, and pass", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const socket = await connect(server.url, alice.token);
    const ack = await socket.request("message:send", { destination: bob.username, message: "one\n\ttwo" });
    expect(ack).toMatchObject({ ok: true, message: { message: "one\n\ttwo" } });
  });

  test("are refused in clientId and in passwords", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const socket = await connect(server.url, alice.token);
    expect(
      await socket.request("message:send", { destination: bob.username, message: "hi", clientId: "id\u001b[2J" }),
    ).toEqual({
      ok: false,
      error: "clientId must not contain control characters (only newline and tab)",
      code: "invalid",
    });
    const refused = await api(server.url, "/api/session", {
      method: "POST",
      json: { username: uniqueName("mallory"), password: "pass\u001b]0;x\u0007" },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: "password must not contain control characters (only newline and tab)" },
    });
  });
});

describe("rate limits", () => {
  const SLOW_DOWN = /^too many messages: slow down/;

  test("one socket sending as fast as it can is told to slow down; the rest is stored", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const socket = await connect(server.url, alice.token);
    const acks = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        socket.request("message:send", { destination: bob.username, message: `n${i}` }),
      ),
    );
    const refused = acks.filter((ack) => !ack.ok);
    const accepted = acks.filter((ack) => ack.ok);
    expect(accepted.length).toBeGreaterThanOrEqual(40); // the burst
    expect(accepted.length).toBeLessThan(75); // the burst and what refills while 100 are handled, on a busy machine
    expect(refused.every((ack) => SLOW_DOWN.test(ack.error))).toBe(true);
    const stored = (await api(server.url, `/api/messages?with=${bob.username}&limit=200`, { token: alice.token })).body
      .messages;
    expect(stored).toHaveLength(accepted.length);
  });

  test("a socket that keeps sending past its refusals is warned, then closed; a person who stops is not", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const socket = await connect(server.url, alice.token);
    const warnings = socket.collect("warning");
    const closed = new Promise<string>((resolve) => socket.socket.once("disconnect", resolve));
    const acks = await Promise.allSettled(
      Array.from({ length: 400 }, (_, i) =>
        socket.request("message:send", { destination: bob.username, message: `f${i}` }),
      ),
    );
    expect(await closed).toBe("io server disconnect");
    // Told first, then closed.
    expect(warnings.map((warning) => warning.code)).toEqual(["send-rate", "send-rate"]);
    expect(warnings[0].message).toBe(
      "sending too fast: 100 messages refused without a pause; after 200 this connection is closed",
    );
    expect(warnings.at(-1).message).toBe(
      "sending too fast: 200 messages refused without a pause; this connection is closed",
    );
    const answered = acks.flatMap((ack) => (ack.status === "fulfilled" ? [ack.value] : []));
    const accepted = answered.filter((ack) => ack.ok).length;
    // Every send up to the one that closed it was answered: the burst accepted, 200 refused.
    expect(answered.filter((ack) => !ack.ok).length).toBeGreaterThanOrEqual(200);
    expect(accepted).toBeGreaterThanOrEqual(40);
    const stored = (await api(server.url, `/api/messages?with=${bob.username}&limit=200`, { token: alice.token })).body
      .messages;
    expect(stored).toHaveLength(accepted);

    // The same person on a new socket, at a person's pace, is served as ever.
    const again = await connect(server.url, alice.token);
    expect(await again.request("message:send", { destination: bob.username, message: "calm" })).toMatchObject({
      ok: true,
    });
  });

  test("the per-person limit holds across that person's sockets", async () => {
    const name = uniqueName("alice");
    const alice = await login(server.url, name);
    const bob = await login(server.url);
    const sockets = await Promise.all([1, 2, 3].map(() => connect(server.url, alice.token)));
    // 35 each stays inside one socket's burst of 40; 105 together are well over one person's 60.
    const acks = (
      await Promise.all(
        sockets.map((socket, s) =>
          Promise.all(
            Array.from({ length: 35 }, (_, i) =>
              socket.request("message:send", { destination: bob.username, message: `s${s}-${i}` }),
            ),
          ),
        ),
      )
    ).flat();
    const accepted = acks.filter((ack) => ack.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(60);
    expect(accepted).toBeLessThan(95);
    expect(acks.filter((ack) => !ack.ok).every((ack) => SLOW_DOWN.test(ack.error))).toBe(true);
  });

  test("typing over the limit is dropped, and the socket is told once", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);
    const bobSocket = await connect(server.url, bob.token);
    const forwarded = bobSocket.collect("typing");
    const warnings = aliceSocket.collect("warning");
    // Fewer drops than half of TYPING_DROPS_BEFORE_CLOSE (200): dropped, and nothing more is said.
    for (let i = 0; i < 90; i += 1)
      aliceSocket.socket.emit("typing", { destination: bob.username, typing: i % 2 === 0 });
    await sleep(800);
    expect(forwarded.length).toBeGreaterThanOrEqual(10);
    expect(forwarded.length).toBeLessThan(30);
    expect(warnings).toEqual([{ code: "typing-rate", message: expect.stringMatching(/^typing too fast/) }]);
    expect(aliceSocket.socket.connected).toBe(true);
  });

  test("a socket that keeps typing past the limit is warned, then closed", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const aliceSocket = await connect(server.url, alice.token);
    await connect(server.url, bob.token);
    const warnings = aliceSocket.collect("warning");
    const closed = new Promise<string>((resolve) => aliceSocket.socket.once("disconnect", resolve));
    for (let i = 0; i < 1_000; i += 1)
      aliceSocket.socket.emit("typing", { destination: bob.username, typing: i % 2 === 0 });
    expect(await closed).toBe("io server disconnect");
    expect(warnings.map((warning) => warning.message)).toEqual([
      expect.stringMatching(/^typing too fast: typing events beyond 5 a second are dropped/),
      "typing too fast: 100 typing events dropped without a pause; after 200 this connection is closed",
      "typing too fast: 200 typing events dropped without a pause; this connection is closed",
    ]);
  });

  test("delivery acks of group messages over the limit are dropped, and the socket is told once", async () => {
    const alice = await login(server.url);
    const socket = await connect(server.url, alice.token);
    const warnings = socket.collect("warning");
    // Ids of nothing: each ack that gets through is a delivery write that finds nothing to mark.
    for (let i = 0; i < 2_500; i += 1) socket.socket.emit("message:received", { ids: [`no-such-message-${i}`] });
    const still = await socket.request("message:read", { with: "nobody_here" });
    expect(still).toMatchObject({ ok: true }); // the connection still answers
    await sleep(300);
    expect(warnings).toEqual([{ code: "received-rate", message: expect.stringMatching(/^too many delivery acks/) }]);
  });

  test("a flood from one person leaves another pair's round trip short", async () => {
    const mallory = await login(server.url);
    const victim = await login(server.url);
    const alice = await login(server.url);
    const bob = await login(server.url);
    const flooder = await connect(server.url, mallory.token);
    const aliceSocket = await connect(server.url, alice.token);
    await connect(server.url, bob.token);
    await connect(server.url, victim.token);
    // About the measured flood: 20,000 messages and 20,000 typing events in 6 s from one socket.
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        for (let i = 0; i < 20; i += 1) {
          flooder.socket.emit("message:send", { destination: victim.username, message: "spam" }, () => {});
          flooder.socket.emit("typing", { destination: victim.username, typing: true });
        }
        await sleep(5);
      }
    })();
    await sleep(300);
    const roundTrips: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const started = Date.now();
      const ack = await aliceSocket.request("message:send", { destination: bob.username, message: `rt${i}` });
      expect(ack.ok).toBe(true);
      roundTrips.push(Date.now() - started);
    }
    flooding = false;
    await flood;
    roundTrips.sort((a, b) => a - b);
    // Unlimited, the same flood stretched this pair's round trips past the 5 s request timeout.
    expect(roundTrips[Math.floor(roundTrips.length / 2)]).toBeLessThan(250);
  });
});

describe("sockets per person", () => {
  test("past the cap, a new socket is refused at the handshake with a clear reason", async () => {
    const alice = await login(server.url);
    for (let i = 0; i < 50; i += 1) await connect(server.url, alice.token);
    await expect(connect(server.url, alice.token)).rejects.toThrow(/^too many connections/);
    // Anyone else still connects.
    const bob = await login(server.url);
    expect((await connect(server.url, bob.token)).socket.connected).toBe(true);
  });

  test("the cap holds when many sockets connect at once", async () => {
    const alice = await login(server.url);
    const attempts = await Promise.allSettled(Array.from({ length: 80 }, () => connect(server.url, alice.token)));
    await sleep(1_000);
    const open = attempts.filter(
      (attempt): attempt is PromiseFulfilledResult<TestSocket> =>
        attempt.status === "fulfilled" && attempt.value.socket.connected,
    );
    expect(open).toHaveLength(50);
  });
});

describe("check in pages", () => {
  const waitingFor = (recipient: string, sender: string, count: number) =>
    insertRawMessages(
      server.databaseFile,
      Array.from({ length: count }, (_, i) => ({ sender, destination: recipient, message: `waiting ${i}` })),
    );

  test("POST /api/messages/check answers at most 500, with a cursor to the next page, until the end", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const ids = waitingFor(bob.username, alice.username, 1_200);

    const pages: ChatMessage[][] = [];
    let after: string | null | undefined;
    do {
      const { status, body } = await api(server.url, "/api/messages/check", {
        method: "POST",
        token: bob.token,
        ...(after ? { json: { after } } : {}),
      });
      expect(status).toBe(200);
      pages.push(body.messages);
      after = body.next;
    } while (after);
    expect(pages.map((page) => page.length)).toEqual([500, 500, 200]);
    expect(pages.flat().map((m) => m.id)).toEqual(ids);
    expect(pages.flat().every((m) => m.stored === true)).toBe(true);
    expect((await api(server.url, "/api/messages/check", { method: "POST", token: bob.token })).body).toEqual({
      messages: [],
      next: null,
    });
  });

  test("the socket's check pages the same way, and a check without a payload is the first page", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    const ids = waitingFor(bob.username, alice.username, 600);
    // A socket that never acks: the backlog it is pushed stays waiting, so check still finds it.
    const socket = await connect(server.url, bob.token, { ack: false });
    const first = await socket.request("check");
    expect(first).toMatchObject({ ok: true, next: expect.any(String) });
    expect(first.messages).toHaveLength(500);
    const second = await socket.request("check", { after: first.next });
    expect(second).toMatchObject({ ok: true, next: null });
    expect([...first.messages, ...second.messages].map((m: ChatMessage) => m.id)).toEqual(ids);
    expect(await socket.request("check", { after: "not a cursor" })).toEqual({
      ok: false,
      error: "after must be the next cursor of an earlier check",
      code: "invalid",
    });
  });
});

describe("backlog:done", () => {
  test("follows the last stored message sent on connect, and comes when nothing waits too", async () => {
    const alice = await login(server.url);
    const bob = await login(server.url);
    waitingFor(bob.username, alice.username, 3);
    const socket = await connect(server.url, bob.token);
    await socket.next("backlog:done");
    expect(socket.received.map((m) => m.message)).toEqual(["waiting 0", "waiting 1", "waiting 2"]);

    const carol = await login(server.url);
    const carolSocket = await connect(server.url, carol.token);
    await carolSocket.next("backlog:done");
    expect(carolSocket.received).toEqual([]);
  });

  function waitingFor(recipient: string, sender: string, count: number) {
    insertRawMessages(
      server.databaseFile,
      Array.from({ length: count }, (_, i) => ({ sender, destination: recipient, message: `waiting ${i}` })),
    );
  }
});
