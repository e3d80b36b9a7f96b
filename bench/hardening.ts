/**
 * `npx tsx bench/hardening.ts` — the real production server under abuse and contention, the figures behind the
 * hardening tests (which assert only generously): guesses checked out of 50 wrong passwords sent at once, GET /
 * while 200 sign-ups arrive at once, GET / and sends while another connection holds SQLite's write lock, and
 * duplicate rows when two sockets and the HTTP API send with one clientId. The server believes one proxy
 * (TRUST_PROXY=1), so each request names its client address in X-Forwarded-For.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { io, type Socket } from "socket.io-client";
import buildIfStale from "../tests/support/global-setup";
import { startTarget } from "./support/processes";
import { percentile } from "./support/stats";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function post(url: string, route: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url + route, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const logIn = (url: string, username: string, password: string, from: string) =>
  post(url, "/api/session", { username, password }, { "x-forwarded-for": from });

/** GET / one after another until `during` settles; the time of each. */
async function pageTimes(url: string, during: Promise<unknown>): Promise<number[]> {
  let done = false;
  void during.finally(() => (done = true));
  const times: number[] = [];
  while (!done) {
    const start = performance.now();
    await (await fetch(`${url}/`)).text();
    times.push(performance.now() - start);
    await sleep(20);
  }
  return times;
}

const describeTimes = (times: number[]) =>
  `${times.length} requests, p50 ${percentile(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`;

function tally(statuses: number[]): string {
  return [...new Set(statuses)]
    .sort()
    .map((status) => `${status} × ${statuses.filter((s) => s === status).length}`)
    .join(", ");
}

async function socketFor(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

async function main(): Promise<void> {
  buildIfStale();
  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-hardening-"));
  const databaseFile = path.join(dir, "chat.db");
  process.env.TRUST_PROXY = "1";
  const server = await startTarget("app", { databaseFile });
  const url = server.url;
  const sockets: Socket[] = [];
  try {
    await (await fetch(`${url}/`)).text();
    const idle = await pageTimes(url, sleep(1_000));
    console.log(`GET / idle: ${describeTimes(idle)}`);

    for (let run = 1; run <= 3; run += 1) {
      const name = `victim${run}`;
      await logIn(url, name, "the right one", `203.0.113.${run}`);
      const guesses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => logIn(url, name, `guess ${i}`, "198.51.100.9")),
      );
      const statuses = guesses.map((r) => r.status);
      console.log(`50 wrong passwords at once, run ${run}: ${tally(statuses)} (401 = checked)`);
    }

    for (const spread of [false, true]) {
      const started = performance.now();
      const flood = Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          logIn(url, `flood${spread ? "s" : "o"}${i}`, "pw", spread ? `10.1.${i >> 8}.${i & 255}` : "10.9.9.9"),
        ),
      );
      const times = await pageTimes(url, flood);
      const statuses = (await flood).map((r) => r.status);
      console.log(
        `200 sign-ups at once from ${spread ? "200 addresses" : "one address"}: ${tally(statuses)} ` +
          `in ${(performance.now() - started).toFixed(0)} ms; GET / meanwhile: ${describeTimes(times)}`,
      );
    }

    const alice = (await logIn(url, "alice_h", "pw", "192.0.2.1")).body.token as string;
    const bob = "bob_h";
    await logIn(url, bob, "pw", "192.0.2.2");
    const [tab1, tab2] = [await socketFor(url, alice), await socketFor(url, alice)];
    sockets.push(tab1, tab2);
    const send = (socket: Socket, payload: object) =>
      socket.timeout(20_000).emitWithAck("message:send", payload) as Promise<{ ok: boolean; error?: string }>;

    for (let run = 1; run <= 2; run += 1) {
      const other = new Database(databaseFile);
      other.exec("BEGIN IMMEDIATE");
      const lockedAt = performance.now();
      const released = sleep(2_500).then(() => {
        other.exec("COMMIT");
        other.close();
      });
      const sends = Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          send(tab1, { destination: bob, message: `locked ${run}.${i}` }).then((ack) => ({
            ok: ack.ok,
            at: performance.now() - lockedAt,
          })),
        ),
      );
      await sleep(200);
      const times = await pageTimes(url, released);
      const acks = await sends;
      const [first, last] = [Math.min(...acks.map((a) => a.at)), Math.max(...acks.map((a) => a.at))];
      console.log(
        `write lock held 2.5 s elsewhere, run ${run}: GET / ${describeTimes(times)}; ` +
          `${acks.filter((ack) => ack.ok).length}/10 sends acked ok, ` +
          `${first.toFixed(0)}–${last.toFixed(0)} ms after the lock began`,
      );
    }

    for (let run = 1; run <= 3; run += 1) {
      let doubled = 0;
      for (let trial = 0; trial < 40; trial += 1) {
        const payload = { destination: bob, message: `race ${run}.${trial}`, clientId: `race-${run}-${trial}` };
        await Promise.all([
          send(tab1, payload),
          send(tab2, payload),
          post(url, "/api/messages", payload, { authorization: `Bearer ${alice}` }),
        ]);
        const db = new Database(databaseFile, { readonly: true });
        const rows = db
          .prepare(`SELECT count(*) FROM "Message" WHERE "clientId" = ?`)
          .pluck()
          .get(payload.clientId) as number;
        db.close();
        if (rows > 1) doubled += 1;
      }
      console.log(
        `one clientId through two sockets and HTTP at once, run ${run}: ${doubled} of 40 stored twice or more`,
      );
    }
  } finally {
    for (const socket of sockets) socket.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
