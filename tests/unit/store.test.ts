/**
 * The store suite, run against a real temporary SQLite file twice — with the SQLite fast paths, and
 * with only the portable Prisma Client code that MongoDB runs — and, when MONGODB_TEST_URL names a
 * MongoDB replica set (with the MongoDB client generated: `npm run db:mongodb:generate`), against MongoDB too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore, type OpenStore, type StoreOptions } from "@/lib/store";
import type { ThrottleDecision, ThrottleState } from "@/lib/store/throttles";
import { MONGODB_SKIPPED, MONGODB_TEST_URL, pushMongoSchema } from "../store/mongodb-setup";

interface Target {
  /** The database URL and store options, ready to open (twice, for tests of two instances). */
  prepare(): Promise<{ url: string; options: StoreOptions; cleanup(): void }>;
}

const sqlite = (options: StoreOptions): Target => ({
  async prepare() {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chat-store-"));
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    return { url: `file:${path.join(dir, "chat.db")}`, options, cleanup };
  },
});

const targets: [string, Target][] = [
  ["SQLite", sqlite({})],
  ["SQLite, portable code only (what MongoDB runs)", sqlite({ portable: true })],
];
if (MONGODB_TEST_URL) {
  const url = MONGODB_TEST_URL;
  targets.push(["MongoDB", { prepare: () => pushMongoSchema(url).then(() => ({ url, options: {}, cleanup() {} })) }]);
} else test.skip(`MongoDB store suite (${MONGODB_SKIPPED})`, () => {});

describe.each(targets)("store on %s", (_name, target) => {
  let db: OpenStore;
  let url: string;
  let options: StoreOptions;
  let cleanup: () => void;
  const run = `${process.pid}${Date.now().toString(36)}`; // names unique per run, for a shared MongoDB
  const name = (who: string) => `${who}_${run}`;
  const later = (ms: number) => new Date(Date.now() + ms);

  beforeAll(async () => {
    ({ url, options, cleanup } = await target.prepare());
    db = await openStore(url, options);
  });
  afterAll(async () => {
    await db.close();
    cleanup();
  });

  test("a username can be claimed once", async () => {
    const user = await db.accounts.createUser(name("claim"), "hash");
    expect(user).toMatchObject({ username: name("claim"), passwordHash: "hash", lastSeen: null });
    expect(await db.accounts.createUser(name("claim"), "other")).toBeUndefined();
    expect((await db.accounts.findUser(name("claim")))?.passwordHash).toBe("hash");
  });

  test("sessions resolve to their user until they expire or are deleted", async () => {
    const user = (await db.accounts.createUser(name("sess"), "hash"))!;
    await db.accounts.createSession(user.id, `live${run}`, later(60_000));
    await db.accounts.createSession(user.id, `old${run}`, later(-1));
    expect(await db.accounts.sessionUser(`live${run}`, new Date())).toBe(name("sess"));
    expect(await db.accounts.sessionUser(`old${run}`, new Date())).toBeUndefined();
    await db.accounts.deleteSession(`live${run}`);
    expect(await db.accounts.sessionUser(`live${run}`, new Date())).toBeUndefined();
  });

  test("messages keep the seed's fields and come back as JSON-ready objects", async () => {
    const saved = await db.messages.saveMessage({
      sender: name("a"),
      destination: name("b"),
      message: "hello!",
      type: "notification",
      metadata: { device: "t1", n: 2 },
    });
    expect(saved).toEqual({
      id: expect.any(String),
      sender: name("a"),
      destination: name("b"),
      message: "hello!",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      type: "notification",
      metadata: { device: "t1", n: 2 },
      deliveredAt: null,
      readAt: null,
    });
  });

  test("the undelivered backlog comes in order, in pages, and each message is delivered once", async () => {
    const [from, to] = [name("bf"), name("bt")];
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await db.messages.saveMessage({ sender: from, destination: to, message: `m${i}`, type: "chat" })).id);
    const first = await db.messages.undelivered(to, { limit: 3 });
    expect(first.map((m) => m.message)).toEqual(["m0", "m1", "m2"]);
    const rest = await db.messages.undelivered(to, { limit: 3, after: first[2] });
    expect(rest.map((m) => m.message)).toEqual(["m3", "m4"]);

    // Two drains racing for the same messages: each message is claimed by exactly one.
    const [x, y, z] = await Promise.all([
      db.messages.markDelivered(to, ids, new Date()),
      db.messages.markDelivered(to, ids.slice(2), new Date()),
      db.messages.markDelivered(to, [ids[4]!], new Date()),
    ]);
    expect([...x, ...y, ...z].map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(await db.messages.markDelivered(to, ids, new Date())).toEqual([]);
    expect(await db.messages.undelivered(to, { limit: 10 })).toEqual([]);
    // Only the recipient can mark a message delivered.
    const other = await db.messages.saveMessage({ sender: from, destination: to, message: "mine", type: "chat" });
    expect(await db.messages.markDelivered(from, [other.id], new Date())).toEqual([]);
  });

  test("conversations page backwards by (timestamp, id) and never leak another conversation", async () => {
    const [a, b, c] = [name("ca"), name("cb"), name("cc")];
    const sent = [];
    for (let i = 0; i < 6; i++)
      sent.push(
        await db.messages.saveMessage({
          sender: i % 2 ? a : b,
          destination: i % 2 ? b : a,
          message: `c${i}`,
          type: "chat",
        }),
      );
    const foreign = await db.messages.saveMessage({ sender: a, destination: c, message: "elsewhere", type: "chat" });
    const last = await db.messages.conversation(a, b, { limit: 4 });
    expect(last!.map((m) => m.message)).toEqual(["c2", "c3", "c4", "c5"]);
    const before = await db.messages.conversation(b, a, { limit: 4, before: last![0]!.id });
    expect(before!.map((m) => m.message)).toEqual(["c0", "c1"]);
    expect(await db.messages.conversation(a, b, { limit: 4, before: foreign.id })).toBeUndefined();
    expect(await db.messages.conversation(a, b, { limit: 4, before: "no-such-id" })).toBeUndefined();
  });

  test("reading a conversation marks what the peer sent as read and lists conversations with unread counts", async () => {
    const [a, b, c] = [name("ra"), name("rb"), name("rc")];
    await db.messages.saveMessage({ sender: b, destination: a, message: "1", type: "chat" });
    await db.messages.saveMessage({ sender: b, destination: a, message: "2", type: "chat" });
    await db.messages.saveMessage({ sender: a, destination: c, message: "3", type: "chat" });
    let conversations = await db.messages.conversations(a);
    expect(conversations.map((x) => [x.peer, x.last.message, x.unread])).toEqual([
      [c, "3", 0],
      [b, "2", 2],
    ]);
    const read = await db.messages.markConversationRead(a, b, new Date());
    expect(read).toHaveLength(2);
    expect(await db.messages.markConversationRead(a, b, new Date())).toEqual([]);
    conversations = await db.messages.conversations(a);
    expect(conversations.find((x) => x.peer === b)?.unread).toBe(0);
    expect((await db.messages.conversation(a, b, { limit: 10 }))!.every((m) => m.readAt && m.deliveredAt)).toBe(true);
  });

  test("a sender's acknowledgement does not mark their own message delivered", async () => {
    const [from, to] = [name("af"), name("at")];
    const sent = await db.messages.saveMessage({ sender: from, destination: to, message: "for you", type: "chat" });
    expect(await db.messages.markDelivered(from, [sent.id], new Date())).toEqual([]);
    expect((await db.messages.undelivered(to, { limit: 10 })).map((m) => m.id)).toEqual([sent.id]);
    expect(await db.messages.markDelivered(to, [sent.id], new Date())).toEqual([{ id: sent.id, sender: from }]);
    expect(await db.messages.undelivered(to, { limit: 10 })).toEqual([]);
  });

  test("two instances claiming one backlog at the same millisecond deliver each message once", async () => {
    const [from, to] = [name("if"), name("it")];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await db.messages.saveMessage({ sender: from, destination: to, message: `i${i}`, type: "chat" })).id);
    const other = await openStore(url, options);
    try {
      const at = new Date();
      const [mine, theirs] = await Promise.all([
        db.messages.markDelivered(to, ids, at),
        other.messages.markDelivered(to, [...ids].reverse(), at),
      ]);
      const delivered = [...mine, ...theirs].map((m) => m.id);
      expect(delivered.sort()).toEqual([...ids].sort());
    } finally {
      await other.close();
    }
  });

  test("the conversation list follows each conversation's newest message, whoever sent it", async () => {
    const [me, ann, bob] = [name("lm"), name("la"), name("lb")];
    expect(await db.messages.conversations(me)).toEqual([]);
    await db.messages.saveMessage({ sender: me, destination: ann, message: "to ann", type: "chat" });
    await db.messages.saveMessage({ sender: bob, destination: me, message: "from bob", type: "chat" });
    const list = async () => (await db.messages.conversations(me)).map((c) => [c.peer, c.last.message, c.unread]);
    expect(await list()).toEqual([
      [bob, "from bob", 1],
      [ann, "to ann", 0],
    ]);
    // Messages saved at once (one group-commit write) move each conversation to the newest of them.
    await Promise.all([
      db.messages.saveMessage({ sender: ann, destination: me, message: "ann 1", type: "chat" }),
      db.messages.saveMessage({ sender: ann, destination: me, message: "ann 2", type: "chat" }),
      db.messages.saveMessage({ sender: me, destination: bob, message: "to bob", type: "chat" }),
    ]);
    expect(await list()).toEqual([
      [bob, "to bob", 1],
      [ann, "ann 2", 2],
    ]);
    expect((await db.messages.conversations(ann)).map((c) => [c.peer, c.last.message, c.unread])).toEqual([
      [me, "ann 2", 1],
    ]);
  });

  test("readings are kept newest-last, filtered by time, summarised, and trimmed to a bound", async () => {
    const device = name("dev");
    const start = Date.now() - 60_000;
    for (let i = 0; i < 12; i++)
      await db.devices.saveReading({ device, value: 20 + i, unit: "°C", timestamp: new Date(start + i * 1000) });
    const latest = await db.devices.readings(device, { limit: 3 });
    expect(latest.map((r) => r.value)).toEqual([29, 30, 31]);
    const since = await db.devices.readings(device, { limit: 100, since: new Date(start + 9_000) });
    expect(since.map((r) => r.value)).toEqual([29, 30, 31]);
    expect(await db.devices.stats(device, 4)).toEqual({
      min: 28,
      max: 31,
      last: 31,
      count: 4,
      from: latest[0] && new Date(start + 8_000).toISOString(),
      to: new Date(start + 11_000).toISOString(),
    });
    await db.devices.trimReadings(device, 5);
    expect((await db.devices.readings(device, { limit: 100 })).map((r) => r.value)).toEqual([27, 28, 29, 30, 31]);
    expect(await db.devices.stats(name("silent"), 10)).toBeUndefined();
  });

  test("attempts racing for a counter's last free places get exactly those places, once each", async () => {
    const key = `login 192.0.2.7 ${name("race")}`;
    const now = new Date();
    const upToFive = (state: ThrottleState): ThrottleDecision =>
      state.attempts < 5
        ? { allow: true, next: { attempts: state.attempts + 1, until: null }, expiresAt: later(60_000) }
        : { allow: false, retryAt: later(30_000) };
    const decisions = await Promise.all(Array.from({ length: 40 }, () => db.throttles.reserve(key, now, upToFive)));
    expect(decisions.filter((d) => d.allow)).toHaveLength(5);
    expect(await db.throttles.state(key, now)).toEqual({ attempts: 5, until: null });
    // An expired counter counts as untouched, and is pruned; a cleared one starts again.
    expect(await db.throttles.state(key, later(120_000))).toEqual({ attempts: 0, until: null });
    expect(await db.throttles.prune(later(120_000))).toBeGreaterThanOrEqual(1);
    await db.throttles.reserve(key, now, upToFive);
    await db.throttles.clear(key);
    expect(await db.throttles.state(key, now)).toEqual({ attempts: 0, until: null });
  });

  test("subscriptions are idempotent and removable", async () => {
    const person = name("sub");
    await db.devices.subscribe(person, "thermometer1");
    await db.devices.subscribe(person, "thermometer1");
    await db.devices.subscribe(person, "greenhouse");
    expect((await db.devices.subscriptionsOf(person)).sort()).toEqual(["greenhouse", "thermometer1"]);
    await db.devices.unsubscribe(person, "thermometer1");
    await db.devices.unsubscribe(person, "thermometer1");
    expect(await db.devices.subscriptionsOf(person)).toEqual(["greenhouse"]);
  });
});
