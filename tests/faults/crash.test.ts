/**
 * Nothing acknowledged is lost or doubled when the server dies: `kill -9` and SIGTERM in the middle
 * of a steady load from many clients that resend what was not acknowledged, with its clientId.
 * After a restart on the same database every client finishes; then the store is counted:
 * acknowledged / stored once / missing / doubled must be N / N / 0 / 0.
 */
import Database from "better-sqlite3";
import net from "node:net";
import { login, type Person } from "../../tools/http-api";
import {
  removeDatabase,
  type ServerProcess,
  startTestServerProcess,
  tempDatabaseFile,
} from "../support/server-process";
import { recordFigures } from "./figures";
import { clientIdOf, type SenderPlan, sendUntilAcknowledged } from "./retrying-senders";

const PAIRS = Number(process.env.FAULT_PAIRS ?? 20);
const MESSAGES_PER_SENDER = Number(process.env.FAULT_MESSAGES ?? 150);
/** Limits raised so a steady load is not refused by the rate limiter (that has its own tests). */
const LOAD_ENV = { SEND_LIMIT_PER_SOCKET: "1000000,1000000", SEND_LIMIT_PER_USER: "1000000,1000000" };

jest.setTimeout(240_000);

describe.each([
  ["kill -9", "SIGKILL" as const],
  ["SIGTERM", "SIGTERM" as const],
])("the server gets %s under load", (_name, signal) => {
  const databaseFile = tempDatabaseFile();
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    removeDatabase(databaseFile);
  });

  test("every acknowledged message is stored exactly once, and every client finishes after the restart", async () => {
    const port = String(await freePort());
    const env = { ...LOAD_ENV, PORT: port };
    server = await startTestServerProcess({ databaseFile, env });
    const url = server.url;
    const plans = await makePlans(url);

    const load = sendUntilAcknowledged(url, plans, 180_000);
    // Let the load reach a steady state, then hit the server in the middle of it.
    await waitUntil(() => countRows(databaseFile) >= PAIRS * 20, 30_000);
    const killedAt = countRows(databaseFile);
    process.kill(server.pid, signal);
    const exitCode = await server.exited();
    if (signal === "SIGTERM") expect(exitCode).toBe(0);

    server = await startTestServerProcess({ databaseFile, env });
    const report = await load;

    const counts = clientIdCounts(databaseFile);
    const planned = plans.flatMap((plan) =>
      Array.from({ length: plan.count }, (_, i) => clientIdOf(plan.sender.username, i)),
    );
    const acknowledged = [...report.acknowledged];
    const storedOnce = acknowledged.filter((id) => counts.get(id) === 1).length;
    const missing = acknowledged.filter((id) => !counts.has(id)).length;
    const doubled = [...counts.values()].filter((n) => n > 1).length;

    recordFigures(`crash-${signal}`, {
      signal,
      clients: PAIRS * 2,
      acknowledged: acknowledged.length,
      storedOnce,
      missing,
      doubled,
      resentAfterNoAnswer: report.retries,
      storedWhenHit: killedAt,
      exitCode,
    });
    expect(acknowledged).toHaveLength(planned.length);
    expect({ storedOnce, missing, doubled }).toEqual({ storedOnce: planned.length, missing: 0, doubled: 0 });
    expect(report.retries).toBeGreaterThan(0); // the fault really cut sends off mid-flight
  });
});

async function makePlans(url: string): Promise<SenderPlan[]> {
  const plans: SenderPlan[] = [];
  for (let i = 0; i < PAIRS; i += 1) {
    const sender: Person = await login(url, `crash_s${i}`, "fault-pw");
    const recipient = await login(url, `crash_r${i}`, "fault-pw");
    plans.push({ sender, destination: recipient.username, count: MESSAGES_PER_SENDER });
  }
  return plans;
}

function countRows(databaseFile: string): number {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM "Message"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** How many stored rows each clientId has. */
function clientIdCounts(databaseFile: string): Map<string, number> {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT clientId, COUNT(*) AS n FROM "Message" WHERE clientId IS NOT NULL GROUP BY clientId`)
      .all() as { clientId: string; n: number }[];
    return new Map(rows.map((row) => [row.clientId, row.n]));
  } finally {
    db.close();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the load did not reach a steady state in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port on 127.0.0.1 nothing listens on, so the restarted server comes back where the clients reconnect. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
