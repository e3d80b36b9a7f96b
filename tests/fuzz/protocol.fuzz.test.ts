/**
 * Every socket event and every route, fed random and adversarial payloads against the real server:
 * the server stays up, every answer is a clear error or a success (never a 500, never a silent
 * hang), and nothing malformed reaches the store. FUZZ_RUNS sets the cases per target.
 */
import Database from "better-sqlite3";
import fc from "fast-check";
import { USERNAME_PATTERN } from "@/lib/protocol";
import { api, closeAllSockets, connect, login, type Person, type TestSocket } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { FUZZ_RUNS, hostileObject, hostileString, hostileValue } from "./hostile-values";

/** The transport closes a connection whose packet is over Socket.IO's maxHttpBufferSize: a clear refusal. */
const MAX_PACKET_BYTES = 64 * 1024;
const CLEAR_HTTP_STATUSES = new Set([200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 429, 503]);
const LOGOUT_RUNS = 300;
/** Refused by Node's HTTP parser before the app sees the request (URL or headers too long): no JSON body. */
const TRANSPORT_REFUSALS = new Set([414, 431]);

let server: ServerProcess;
let alice: Person;
let bob: Person;
let socket: TestSocket;

jest.setTimeout(Math.max(120_000, FUZZ_RUNS * 400));

beforeAll(async () => {
  // Limits raised so the fuzzer exercises validation rather than the rate limiter.
  server = await startTestServerProcess({
    env: {
      SEND_LIMIT_PER_SOCKET: "1000000,1000000",
      SEND_LIMIT_PER_USER: "1000000,1000000",
      TYPING_LIMIT_PER_SOCKET: "1000000,1000000",
      TYPING_LIMIT_PER_USER: "1000000,1000000",
      CHECK_LIMIT_PER_USER: "1000000,1000000",
      READ_LIMIT_PER_USER: "1000000,1000000",
    },
  });
  alice = await login(server.url, "fuzz_alice");
  bob = await login(server.url, "fuzz_bob");
  socket = await connect(server.url, alice.token);
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
  removeDatabase(server.databaseFile);
});

/** The socket, reconnected if the last case made the server close it. */
async function liveSocket(): Promise<TestSocket> {
  if (!socket.socket.connected) socket = await connect(server.url, alice.token);
  return socket;
}

function expectClearAck(ack: unknown): void {
  expect(ack).toEqual(expect.objectContaining({ ok: expect.any(Boolean) }));
  const { ok, error } = ack as { ok: boolean; error?: unknown };
  if (!ok) {
    expect(typeof error).toBe("string");
    expect(error).not.toMatch(/internal error/);
  }
}

/**
 * The size of the frame Socket.IO puts on the wire for `emit(event, ...args)` with an ack: the packet type and ack id
 * (`42` + up to 10 digits) before the JSON array of the event name and its arguments. A payload just under the limit
 * can still make a frame over it, which the server rightly closes.
 */
const PACKET_HEADER_BYTES = 12;
const packetSize = (event: string, args: unknown[]) =>
  PACKET_HEADER_BYTES + Buffer.byteLength(JSON.stringify([event, ...args.map((arg) => arg ?? null)]));

/** Sends that reach the store (a real recipient), so whatever the text holds is tested against what is kept. */
const plausibleSend = fc.record(
  {
    destination: fc.constantFrom("fuzz_bob", "thermometer1"),
    message: hostileString,
    clientId: fc.option(hostileString, { nil: undefined }),
  },
  { requiredKeys: ["destination", "message"] },
);

describe.each([
  ["message:send", fc.oneof(hostileObject(["destination", "message", "clientId"]), plausibleSend)],
  ["message:read", hostileObject(["with"])],
  ["check", hostileValue],
])("socket %s", (event, payloads) => {
  test("answers every payload with a clear ack, or closes an oversized packet", async () => {
    await fc.assert(
      fc.asyncProperty(payloads, async (payload) => {
        const client = await liveSocket();
        try {
          expectClearAck(await client.socket.timeout(5_000).emitWithAck(event, payload));
        } catch (error) {
          if (packetSize(event, [payload]) <= MAX_PACKET_BYTES) throw error; // a small payload must be answered
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

test("socket: typing and unknown events with any payload leave the connection working", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("typing", "message", "presence", "__proto__", "constructor", "disconnect_me"),
      fc.array(hostileValue, { maxLength: 3 }),
      async (event, args) => {
        const client = await liveSocket();
        client.socket.emit(event, ...args);
        if (packetSize(event, args) > MAX_PACKET_BYTES) {
          // The server closes the connection; wait for it so the next case starts on a fresh one.
          await new Promise((resolve) => {
            client.socket.once("disconnect", resolve);
            setTimeout(resolve, 2_000);
          });
          return;
        }
        expectClearAck(await client.socket.timeout(5_000).emitWithAck("message:read", { with: bob.username }));
      },
    ),
    { numRuns: FUZZ_RUNS },
  );
});

const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "",
  "application/json; charset=utf-16",
];

describe.each([
  ["POST", "/api/session", false],
  ["POST", "/api/messages", true],
  ["POST", "/api/messages/read", true],
  ["POST", "/api/messages/check", true],
  ["DELETE", "/api/session", true],
])("HTTP %s %s", (method, route, authenticated) => {
  test("answers every body with a success or a clear JSON error", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileValue.map((value) => JSON.stringify(value) ?? ""),
          hostileString,
          fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
        ),
        fc.constantFrom(...CONTENT_TYPES),
        async (body, contentType) => {
          // Each case logs in again for DELETE, which ends the session it uses.
          const token = method === "DELETE" ? (await login(server.url, bob.username)).token : alice.token;
          const response = await fetch(server.url + route, {
            method,
            body,
            headers: { "content-type": contentType, ...(authenticated ? { authorization: `Bearer ${token}` } : {}) },
          });
          await expectClearResponse(response);
        },
      ),
      // Logout ignores its body and each case needs a fresh session (a password hash, ~100 ms), so it gets fewer.
      { numRuns: method === "DELETE" ? Math.min(FUZZ_RUNS, LOGOUT_RUNS) : FUZZ_RUNS },
    );
  });
});

describe.each([
  ["/api/messages", ["with", "before", "limit"]],
  ["/api/thermometers/thermometer1/readings", ["limit", "since"]],
  ["/api/users", ["x"]],
  ["/api/conversations", ["x"]],
])("HTTP GET %s", (route, keys) => {
  test("answers every query string with a success or a clear JSON error", async () => {
    const key = fc.oneof(fc.constantFrom(...keys, "__proto__", "constructor"), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, hostileString), { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams(pairs.map(([k, v]) => [k, v.slice(0, 2_000)])).toString();
        const response = await fetch(`${server.url}${route}?${query}`, {
          headers: { authorization: `Bearer ${alice.token}` },
        });
        await expectClearResponse(response);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

test("device paths with hostile names answer 404 or a clear error", async () => {
  await fc.assert(
    fc.asyncProperty(hostileString, async (name) => {
      const response = await fetch(
        `${server.url}/api/thermometers/${encodeURIComponent(name.slice(0, 500))}/readings`,
        {
          headers: { authorization: `Bearer ${alice.token}` },
        },
      );
      await expectClearResponse(response);
    }),
    { numRuns: FUZZ_RUNS },
  );
});

async function expectClearResponse(response: Response): Promise<void> {
  if (TRANSPORT_REFUSALS.has(response.status)) return;
  expect(CLEAR_HTTP_STATUSES).toContain(response.status);
  const text = await response.text();
  if (response.status >= 400) {
    expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
  }
}

test("afterwards the server still serves, and everything stored is well-formed", async () => {
  const { status } = await api(server.url, "/api/users", { token: alice.token });
  expect(status).toBe(200);
  const db = new Database(server.databaseFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT sender, destination, message, clientId FROM "Message"`).all() as {
      sender: string;
      destination: string;
      message: string;
      clientId: string | null;
    }[];
    for (const row of rows) {
      expect(row.sender).toMatch(USERNAME_PATTERN);
      expect(row.destination).toMatch(USERNAME_PATTERN);
      expect(row.message.length).toBeGreaterThan(0);
      expect(row.message.length).toBeLessThanOrEqual(4_000);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters the server must refuse
      expect(row.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect((row.clientId ?? "").length).toBeLessThanOrEqual(64);
    }
    const users = db.prepare(`SELECT username FROM "User"`).all() as { username: string }[];
    for (const { username } of users) expect(username).toMatch(USERNAME_PATTERN);
  } finally {
    db.close();
  }
});
