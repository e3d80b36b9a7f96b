/**
 * Two instances writing one SQLite file: backlog claims, idempotent resends and the login lockout keep their
 * guarantees across instances under concurrency; no write is lost, doubled or refused with "database is locked";
 * instances start (two at once on a fresh file), restart and stop one at a time while the other keeps writing.
 */
import type { ChatMessage } from "@/lib/contract/payloads";
import { api, closeAllSockets, connect, login, uniqueName } from "../support/clients";
import { Sender } from "./support/clients";
import { eventually, startCluster, type TestCluster } from "./support/cluster";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ instances: 2 });
});
afterEach(() => closeAllSockets());
afterAll(() => cluster?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const url = (i: number) => cluster.instances[i]!.url;

test("two instances racing to drain one backlog: each message is delivered once", async () => {
  const alice = await login(url(0), uniqueName("alice"));
  const bob = await login(url(1), uniqueName("bob"));
  const aliceTab = await connect(url(0), alice.token);
  const statuses = aliceTab.collect<{ id: string; status: string }>("message:status");
  const ids: string[] = [];
  for (let i = 0; i < 600; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        aliceTab.request("message:send", { destination: bob.username, message: `waiting ${i + j}` }),
      ),
    );
    for (const reply of batch) {
      expect(reply).toMatchObject({ ok: true, online: false });
      ids.push(reply.message.id);
    }
  }

  // Bob opens a tab on each instance at the same moment: both drain the same backlog.
  const [onA, onB] = await Promise.all([connect(url(0), bob.token), connect(url(1), bob.token)]);
  await eventually(
    "every message delivered",
    () => new Set(statuses.filter((s) => s.status === "delivered").map((s) => s.id)).size === ids.length,
    20_000,
  );
  await sleep(1_000);
  const delivered = statuses.filter((s) => s.status === "delivered").map((s) => s.id);
  expect(delivered).toHaveLength(ids.length); // once each, however many tabs and instances acked it
  expect(new Set(delivered)).toEqual(new Set(ids));
  const received = new Set([...onA.received, ...onB.received].map((m: ChatMessage) => m.id));
  for (const id of ids) expect(received.has(id)).toBe(true);
  const waiting = cluster.query<{ id: string }>(
    'SELECT messageId AS id FROM "Receipt" WHERE recipient = ? AND deliveredAt IS NULL',
    bob.username,
  );
  expect(waiting).toEqual([]);
});

test("concurrent writers on both instances: nothing lost, nothing doubled, no 'database is locked'", async () => {
  const people = await Promise.all(Array.from({ length: 6 }, (_, i) => login(url(i % 2), uniqueName("w"))));
  const senders = people.map((person, i) => new Sender(url(i % 2), person.username, person.token));
  const peer = await login(url(0), uniqueName("peer"));
  // Meanwhile logins, subscriptions and read marks on both instances.
  const churn = Promise.all(
    [0, 1].map(async (lane) => {
      for (let i = lane; i < 30; i += 2) {
        const who = await login(url(i % 2), uniqueName("churn"));
        await api(url((i + 1) % 2), "/api/messages", {
          method: "POST",
          token: who.token,
          json: { destination: "thermometer1", message: i % 2 ? "subscribe" : "unsubscribe" },
        });
        await api(url(i % 2), "/api/messages/read", {
          method: "POST",
          token: who.token,
          json: { with: peer.username },
        });
      }
    }),
  );
  for (const sender of senders) sender.start([peer.username], 20);
  await sleep(3_000);
  for (const sender of senders) sender.stop();
  await Promise.all(senders.map((sender) => sender.settle()));
  await churn;
  for (const sender of senders) {
    expect(sender.resends).toBe(0); // every send was answered the first time
    const rows = cluster.query<{ clientId: string; id: string }>(
      'SELECT clientId, id FROM "Message" WHERE sender = ?',
      sender.username,
    );
    expect(rows).toHaveLength(sender.sent);
    for (const row of rows) expect(sender.acked.get(row.clientId)).toBe(row.id);
    sender.close();
  }
  for (const instance of cluster.instances) expect(instance.output()).not.toMatch(/database is locked|SQLITE_BUSY/i);
});

test("a resend through the other instance returns the stored message, even when the first ack was lost", async () => {
  const carol = await login(url(0), uniqueName("carol"));
  const dave = await login(url(1), uniqueName("dave"));
  const onA = await connect(url(0), carol.token);
  const first = await onA.request("message:send", { destination: dave.username, message: "once", clientId: "c-1" });
  const onB = await connect(url(1), carol.token);
  const again = await onB.request("message:send", { destination: dave.username, message: "once", clientId: "c-1" });
  expect(again.message.id).toBe(first.message.id);

  // Sent, and the connection dropped before the answer; the client reconnects elsewhere and resends.
  onA.socket.emit("message:send", { destination: dave.username, message: "lost ack", clientId: "c-2" }, () => {});
  onA.close();
  await sleep(600); // a client's reconnection delay
  const resent = await onB.request("message:send", {
    destination: dave.username,
    message: "lost ack",
    clientId: "c-2",
  });
  expect(resent.ok).toBe(true);
  const rows = cluster.query<{ clientId: string }>(
    'SELECT clientId FROM "Message" WHERE sender = ? ORDER BY clientId',
    carol.username,
  );
  expect(rows.map((row) => row.clientId)).toEqual(["c-1", "c-2"]);
});

test("the login lockout counts wrong passwords from every instance, and holds on every instance", async () => {
  const name = uniqueName("erin");
  await login(url(0), name, "right password");
  const attempts = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      api(url(i % 2), "/api/session", { method: "POST", json: { username: name, password: `wrong ${i}` } }),
    ),
  );
  expect(attempts.every((attempt) => attempt.status === 401 || attempt.status === 429)).toBe(true);
  for (const i of [0, 1]) {
    const right = await api(url(i), "/api/session", {
      method: "POST",
      json: { username: name, password: "right password" },
    });
    expect(right.status).toBe(429);
  }
});

test("a handshake while the other instance does not answer is let in, counted on its own instance", async () => {
  const person = await login(url(1), uniqueName("frozen"));
  const peer = await login(url(1), uniqueName("peer"));
  const other = cluster.instances[0]!;
  // Stopped, its connection to Redis stays open: Redis still counts it, and it answers no adapter question.
  process.kill(other.pid, "SIGSTOP");
  try {
    const socket = await connect(url(1), person.token);
    await socket.next("backlog:done"); // past the cap's second look too, which also counts every instance's sockets
    expect(await socket.request("message:send", { destination: peer.username, message: "still here" })).toMatchObject({
      ok: true,
    });
  } finally {
    process.kill(other.pid, "SIGCONT");
  }
  expect((await api(url(0), "/api/ready")).status).toBe(200);
});

test("instances restart one at a time while the other writes; two starting at once on a fresh file both start", async () => {
  const writer = await login(url(1), uniqueName("writer"));
  const peer = await login(url(1), uniqueName("peer"));
  const sender = new Sender(url(1), writer.username, writer.token);
  sender.start([peer.username], 25);
  const [first] = cluster.instances;
  expect(await first!.stop()).toBe(0);
  const restarted = await cluster.addInstance(first!.port); // the store is busy and already migrated
  expect((await api(restarted.url, "/api/ready")).status).toBe(200);
  await sleep(500);
  sender.stop();
  await sender.settle();
  expect(cluster.query('SELECT id FROM "Message" WHERE sender = ?', writer.username)).toHaveLength(sender.sent);
  sender.close();

  // Two instances at once on a new file: one migrates, the other waits for it and finds nothing to do.
  const fresh = await startCluster({ instances: 1 });
  try {
    const [x, y] = await Promise.all([
      fresh.addInstance(undefined, { DATABASE_URL: `file:${fresh.databaseFile}.2` }),
      fresh.addInstance(undefined, { DATABASE_URL: `file:${fresh.databaseFile}.2` }),
    ]);
    const person = await login(x!.url, uniqueName("fresh"));
    expect((await api(y!.url, "/api/session", { token: person.token })).status).toBe(200);
  } finally {
    await fresh.stop();
  }
});
