/**
 * What only a real MongoDB can show, run when MONGODB_TEST_URL names a 5.0+ replica set: writes
 * racing on the same documents (which MongoDB reports as write conflicts, P2034), nulls as
 * stored, and query plans — history pages and the backlog must walk an index in order, with no
 * blocking sort. The schema is pushed first. The plan reader itself is checked on every run.
 */
import type { Prisma } from "@prisma/client";
import { openStore, type OpenStore } from "@/lib/store";
import { connectMongo, createMongoClient, type MongoDatabase } from "@/lib/store/portable/mongodb-client";
import { backfillClientKeys } from "@/lib/store/portable/mongodb-client-keys";
import { backfillReceipts } from "@/lib/store/portable/mongodb-receipts";
import { MONGODB_SKIPPED, MONGODB_TEST_URL, pushMongoSchema } from "./mongodb-setup";
import { planProblems } from "./query-plan";

describe("reading a query plan", () => {
  const ixscan = { stage: "IXSCAN", indexName: "Message_sender_destination_timestamp_id_idx" };
  it("accepts an index walked in order", () => {
    const classic = {
      stages: [
        {
          $cursor: {
            queryPlanner: {
              winningPlan: { stage: "LIMIT", inputStage: { stage: "FETCH", inputStage: ixscan } },
              rejectedPlans: [{ stage: "SORT", inputStage: { stage: "COLLSCAN" } }],
            },
          },
        },
        { $project: { message: true } },
      ],
    };
    const slotBased = { queryPlanner: { winningPlan: { queryPlan: { stage: "FETCH", inputStage: ixscan } } } };
    expect(planProblems(classic)).toEqual([]);
    expect(planProblems(slotBased)).toEqual([]);
  });

  it("names a blocking sort, a collection scan, and a sort left to the pipeline", () => {
    const sorted = {
      queryPlanner: { winningPlan: { stage: "SORT", inputStage: { stage: "FETCH", inputStage: ixscan } } },
    };
    const scanned = { queryPlanner: { winningPlan: { stage: "COLLSCAN" } } };
    const sortAfter = { stages: [{ $cursor: { queryPlanner: { winningPlan: ixscan } } }, { $sort: { sortKey: {} } }] };
    expect(planProblems(sorted)).toEqual(["a blocking SORT in the winning plan"]);
    expect(planProblems(scanned)).toEqual([
      "a collection scan in the winning plan",
      "no index scan in the winning plan",
    ]);
    expect(planProblems(sortAfter)).toEqual(["a $sort stage after the query"]);
    expect(planProblems({ ok: 1 })).toEqual(["no winning plan in the explain output"]);
  });
});

if (!MONGODB_TEST_URL) test.skip(`MongoDB concurrency and query plans (${MONGODB_SKIPPED})`, () => {});

(MONGODB_TEST_URL ? describe : describe.skip)("on MongoDB", () => {
  const url = MONGODB_TEST_URL!;
  let one: OpenStore;
  let two: OpenStore; // a second server instance on the same database
  let raw: MongoDatabase;
  const run = `${process.pid}${Date.now().toString(36)}`;
  const name = (who: string) => `${who}_${run}`;

  beforeAll(async () => {
    await pushMongoSchema(url);
    [one, two] = await Promise.all([openStore(url), openStore(url)]);
    raw = createMongoClient(url);
    await connectMongo(raw);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close(), raw?.$disconnect()]);
  });

  const send = (store: OpenStore, sender: string, destination: string, message: string) =>
    store.messages.saveMessage({ sender, destination, message, type: "chat" });

  test("read marks racing delivery claims on two instances leave every message delivered and read, each delivery told once", async () => {
    const [from, to] = [name("rf"), name("rt")];
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => send(i % 2 ? one : two, from, to, `m${i}`)));
    const ids = sent.map((m) => m.id);
    const at = new Date();
    const [claimedByOne, read, claimedByTwo] = await Promise.all([
      one.messages.markDelivered(to, ids, at),
      two.messages.markConversationRead(to, from, at),
      two.messages.markDelivered(to, [...ids].reverse(), at),
    ]);
    const told = [...claimedByOne, ...claimedByTwo].map((m) => m.id);
    expect(new Set(told).size).toBe(told.length);
    expect(read.map((change) => change.id).sort()).toEqual([...ids].sort());
    const history = (await one.messages.conversation(to, from, { limit: 100 }))!;
    expect(history).toHaveLength(60);
    expect(history.filter((m) => !m.deliveredAt || !m.readAt)).toEqual([]);
    expect(await one.messages.undelivered(to, { limit: 10 })).toEqual([]);
  });

  test("two registrations of one name at once: exactly one wins", async () => {
    const claimant = name("twin");
    const results = await Promise.all([
      one.accounts.createUser(claimant, "first"),
      two.accounts.createUser(claimant, "second"),
      one.accounts.createUser(claimant, "third"),
    ]);
    const winners = results.filter((user) => user !== undefined);
    expect(winners).toHaveLength(1);
    expect((await two.accounts.findUser(claimant))?.passwordHash).toBe(winners[0]!.passwordHash);
  });

  test("two subscribes at once: one subscription, no error", async () => {
    const person = name("sub");
    await Promise.all([
      one.devices.subscribe(person, "thermometer1"),
      two.devices.subscribe(person, "thermometer1"),
      one.devices.subscribe(person, "thermometer1"),
    ]);
    expect(await two.devices.subscriptionsOf(person)).toEqual(["thermometer1"]);
  });

  test("one clientId saved on two instances at once is stored once, and both get that message", async () => {
    const [from, to] = [name("cf"), name("ct")];
    const save = (store: OpenStore) =>
      store.messages.save({ sender: from, destination: to, message: "once", type: "chat", clientId: "c-1" });
    const results = await Promise.all([save(one), save(two), save(one), save(two)]);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.filter((r) => !r.resent)).toHaveLength(1);
    expect(await one.messages.undelivered(to, { limit: 10 })).toHaveLength(1);
  });

  test("a message stored before clientKey existed gets its id as its key, and reads like any other", async () => {
    const [from, to] = [name("of"), name("ot")];
    const id = `old${run}`;
    await raw.$runCommandRaw({
      insert: "Message",
      documents: [
        {
          _id: id,
          sender: from,
          destination: to,
          message: "from the old version",
          timestamp: { $date: new Date().toISOString() },
          type: "chat",
          deliveredAt: null,
          readAt: null,
          clientId: "c-old",
          deliveryClaim: null,
        },
      ],
    });
    expect(await backfillClientKeys(raw)).toBeGreaterThanOrEqual(1);
    const stored = await raw.$runCommandRaw({ find: "Message", filter: { _id: id } });
    expect((stored.cursor as unknown as { firstBatch: { clientKey: string }[] }).firstBatch[0]!.clientKey).toBe(id);
    await backfillReceipts(raw);
    await backfillReceipts(raw); // again: nothing changes
    expect((await one.messages.undelivered(to, { limit: 10 })).map((m) => m.id)).toEqual([id]);
    expect(await backfillClientKeys(raw)).toBe(0);
  });

  test("messages and users are stored with their nulls, not without the fields", async () => {
    const [a, b] = [name("na"), name("nb")];
    await one.accounts.createUser(a, "hash");
    await send(one, a, b, "plain");
    const count = async (collection: string, filter: Prisma.InputJsonObject) => {
      const result = await raw.$runCommandRaw({ count: collection, query: filter });
      return Number(result.n);
    };
    expect(await count("Message", { sender: a, clientId: { $exists: false } })).toBe(0);
    for (const field of ["deliveredAt", "readAt", "deliveryClaim"]) {
      expect([field, await count("Receipt", { sender: a, [field]: { $exists: false } })]).toEqual([field, 0]);
    }
    expect(await count("User", { username: a, lastSeen: { $exists: false } })).toBe(0);
    const now = new Date();
    await one.throttles.reserve(`login ${a}`, now, () => ({
      allow: true,
      next: { attempts: 1, until: null },
      expiresAt: new Date(now.getTime() + 60_000),
    }));
    expect(await count("Throttle", { key: `login ${a}`, until: { $exists: false } })).toBe(0);
  });

  test("history pages and the backlog walk an index in order, with no blocking sort", async () => {
    const [me, peer, reader] = [name("pm"), name("pp"), name("pr")];
    for (let i = 0; i < 30; i++) await send(one, i % 2 ? me : peer, i % 2 ? peer : me, `h${i}`);
    for (let i = 0; i < 30; i++) await send(one, peer, reader, `b${i}`);

    // The profiler records the exact commands Prisma sends; each is then explained as sent.
    const since = new Date();
    await raw.$runCommandRaw({ profile: 2 });
    try {
      const page = (await one.messages.conversation(me, peer, { limit: 10 }))!;
      await one.messages.conversation(me, peer, { limit: 10, before: page[0]!.id });
      const first = await one.messages.undelivered(reader, { limit: 10 });
      await one.messages.undelivered(reader, { limit: 10, after: first.at(-1) });
    } finally {
      await raw.$runCommandRaw({ profile: 0 });
    }
    const profiled = await raw.$runCommandRaw({
      find: "system.profile",
      filter: { "command.aggregate": "Message", ts: { $gte: { $date: since.toISOString() } } },
      limit: 200,
    });
    const pipelines = (
      (profiled.cursor as unknown as { firstBatch?: { command: { pipeline: Prisma.InputJsonArray } }[] }).firstBatch ??
      []
    )
      .map((entry) => entry.command.pipeline)
      .filter((pipeline) => JSON.stringify(pipeline).includes(run) && JSON.stringify(pipeline).includes("$sort"));
    expect(pipelines.length).toBeGreaterThanOrEqual(6); // two history pages × two directions, two backlog pages

    for (const pipeline of pipelines) {
      const explain = await raw.$runCommandRaw({
        explain: { aggregate: "Message", pipeline, cursor: {} },
        verbosity: "queryPlanner",
      });
      expect({ pipeline, problems: planProblems(explain) }).toEqual({ pipeline, problems: [] });
    }
  }, 60_000);
});
