/**
 * One hostile client floods the server — sends, typing, logins, sign-ups, sockets, upgrades — while
 * another pair's direct messages are timed. Every flood must get clear refusals (never a crash,
 * never a silent drop of the pair's messages); the pair's round trip under each flood is recorded
 * beside its quiet figure in docs/reliability-figures.json (the target, p99 within 2× of quiet, is
 * a figure to publish, not a timed assertion).
 */
import net from "node:net";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/protocol";
import { api, login, type Person } from "../../tools/http-api";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { recordFigures } from "./figures";

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The measured pair sends well inside the limits: ten messages a second for a few seconds. */
const PAIR_RATE_PER_SECOND = 10;
const PAIR_MESSAGES = Number(process.env.ABUSE_PAIR_MESSAGES ?? 60);
/** Behind TRUST_PROXY the attacker and the people have addresses of their own, as on a real network. */
const ATTACKER = { "x-forwarded-for": "203.0.113.66" };
const PERSON = { "x-forwarded-for": "198.51.100.7" };

let server: ServerProcess;
let alice: Person;
let bob: Person;
let mallory: Person;
const open: ChatSocket[] = [];

jest.setTimeout(180_000);

beforeAll(async () => {
  server = await startTestServerProcess({ env: { TRUST_PROXY: "true", SIGNUPS_PER_ADDRESS: "10" } });
  alice = await login(server.url, "abuse_alice", "alice-pw");
  bob = await login(server.url, "abuse_bob", "bob-pw");
  mallory = await login(server.url, "abuse_mallory", "mallory-pw");
});
afterAll(async () => {
  for (const socket of open) socket.disconnect();
  await server.stop();
  removeDatabase(server.databaseFile);
});

function connect(token: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(server.url, { auth: { token }, transports: ["websocket"], reconnection: false });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** alice → bob at a steady rate; the time from send until bob has each message, in ms. */
async function timePair(): Promise<number[]> {
  const [from, to] = await Promise.all([connect(alice.token), connect(bob.token)]);
  const sentAt = new Map<string, number>();
  const roundTrips: number[] = [];
  const allReceived = new Promise<void>((resolve) => {
    to.on("message", (message, ack) => {
      ack?.();
      const started = sentAt.get(message.message);
      if (started === undefined) return;
      roundTrips.push(performance.now() - started);
      if (roundTrips.length === PAIR_MESSAGES) resolve();
    });
  });
  const run = `${Date.now()}`;
  for (let i = 0; i < PAIR_MESSAGES; i += 1) {
    const text = `timed ${run} ${i}`;
    sentAt.set(text, performance.now());
    from.emit("message:send", { destination: bob.username, message: text }, () => {});
    await pause(1000 / PAIR_RATE_PER_SECOND);
  }
  await Promise.race([allReceived, pause(15_000)]);
  from.disconnect();
  to.disconnect();
  expect(roundTrips).toHaveLength(PAIR_MESSAGES); // nothing of the pair's is dropped, whatever the flood
  return roundTrips;
}

let quiet: number[];

test("quiet: the pair's round trip with nobody flooding", async () => {
  quiet = await timePair();
  record("quiet", quiet, {});
});

test("a send flood is refused with a clear error, and the pair's messages still arrive", async () => {
  const socket = await connect(mallory.token);
  let accepted = 0;
  const refusals = new Set<string>();
  const flood = (async () => {
    const acks: Promise<void>[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      acks.push(
        socket
          .timeout(30_000)
          .emitWithAck("message:send", { destination: bob.username, message: `flood ${i}` })
          .then((ack) => {
            if (ack.ok) accepted += 1;
            else refusals.add(ack.error);
          }),
      );
      if (i % 250 === 0) await pause(10);
    }
    await Promise.all(acks);
  })();
  const roundTrips = await timePair();
  await flood;
  expect([...refusals].join(" | ")).toMatch(/too many messages: slow down/);
  expect(accepted).toBeLessThan(5_000);
  record("send flood", roundTrips, { floodSent: 5_000, accepted, refused: 5_000 - accepted });
});

test("a typing flood is dropped with one warning, and the pair's messages still arrive", async () => {
  const socket = await connect(mallory.token);
  const warnings: unknown[] = [];
  socket.on("warning", (warning) => warnings.push(warning));
  const flood = (async () => {
    for (let i = 0; i < 20_000; i += 1) {
      socket.emit("typing", { destination: bob.username, typing: i % 2 === 0 });
      if (i % 500 === 0) await pause(5);
    }
  })();
  const roundTrips = await timePair();
  await flood;
  await pause(200);
  expect(warnings.length).toBeGreaterThanOrEqual(1);
  record("typing flood", roundTrips, { floodSent: 20_000, warnings: warnings.length });
});

test("a login flood against one name is throttled for its address only; the owner still logs in", async () => {
  const statuses = new Map<number, number>();
  const flood = Promise.all(
    Array.from({ length: 200 }, () =>
      api(server.url, "/api/session", {
        method: "POST",
        headers: ATTACKER,
        json: { username: alice.username, password: "guess" },
      }).then(({ status }) => statuses.set(status, (statuses.get(status) ?? 0) + 1)),
    ),
  );
  const roundTrips = await timePair();
  await flood;
  expect([...statuses.keys()].every((status) => status === 401 || status === 429 || status === 503)).toBe(true);
  expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
  const owner = await api(server.url, "/api/session", {
    method: "POST",
    headers: PERSON,
    json: { username: alice.username, password: "alice-pw" },
  });
  expect(owner.status).toBe(200);
  record("login flood", roundTrips, { attempts: 200, answers: Object.fromEntries(statuses) });
});

test("a sign-up flood from one address is rate-limited, and the pair's messages still arrive", async () => {
  const statuses = new Map<number, number>();
  const run = Date.now().toString(36);
  const flood = Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      api(server.url, "/api/session", {
        method: "POST",
        headers: ATTACKER,
        json: { username: `spam_${run}_${i}`, password: "pw" },
      }).then(({ status }) => statuses.set(status, (statuses.get(status) ?? 0) + 1)),
    ),
  );
  const roundTrips = await timePair();
  await flood;
  expect([...statuses.keys()].every((status) => status === 201 || status === 429 || status === 503)).toBe(true);
  expect(statuses.get(201) ?? 0).toBeLessThan(200);
  record("sign-up flood", roundTrips, { attempts: 200, answers: Object.fromEntries(statuses) });
});

test("a socket flood on one token is capped with a clear refusal", async () => {
  const refusals = new Set<string>();
  let connected = 0;
  const flood = Promise.all(
    Array.from({ length: 300 }, () =>
      connect(mallory.token).then(
        () => {
          connected += 1;
        },
        (error: Error) => refusals.add(error.message),
      ),
    ),
  );
  const roundTrips = await timePair();
  await flood;
  expect([...refusals].join(" | ")).toMatch(/too many connections/);
  expect(connected).toBeLessThan(300);
  record("socket flood", roundTrips, { attempts: 300, connected });
});

test("an upgrade flood to an unknown path is answered and closed", async () => {
  const { port } = new URL(server.url);
  let answered = 0;
  const flood = Promise.all(
    Array.from({ length: 300 }, () =>
      rawUpgrade(Number(port)).then((status) => {
        if (status.startsWith("HTTP/1.1 404")) answered += 1;
      }),
    ),
  );
  const roundTrips = await timePair();
  await flood;
  expect(answered).toBe(300);
  record("upgrade flood", roundTrips, { attempts: 300, answered });
});

/** Sends a WebSocket upgrade to a path nobody serves; resolves with the status line (or "closed"). */
function rawUpgrade(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
    });
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer.split("\r\n")[0] || "closed"));
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

function record(phase: string, roundTrips: number[], extra: Record<string, unknown>): void {
  const p = (q: number) => percentile(roundTrips, q);
  const quietP99 = percentile(quiet, 0.99);
  recordFigures(`abuse: ${phase}`, {
    pairMessages: roundTrips.length,
    p50Ms: round(p(0.5)),
    p99Ms: round(p(0.99)),
    p99VersusQuiet: round(p(0.99) / quietP99),
    ...extra,
  });
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const round = (value: number) => Math.round(value * 100) / 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
