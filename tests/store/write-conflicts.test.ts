/**
 * Write conflicts, as MongoDB reports them (P2034), injected through a seam around the Prisma
 * client of a portable store on a real SQLite file: the store must retry what is safe to retry,
 * answer a lost username race like a taken name, and never fail a whole batch for one message.
 */
import type { ChatMessage } from "@/lib/contract/payloads";
import { openStore, type OpenStore } from "@/lib/store";
import { DEFAULT_RETRY_POLICY, retryDelay } from "@/lib/store/retry";
import type { ThrottleState } from "@/lib/store/throttles";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";
import { intercepted, type ModelCall, writeConflict } from "./database-seam";

const RETRY = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe("retry delays", () => {
  it("grow exponentially up to the cap, each a random time below its bound", () => {
    const bounds = [0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, DEFAULT_RETRY_POLICY, () => 1));
    expect(bounds).toEqual([10, 20, 40, 80, 160, 200, 200]);
    expect(retryDelay(3, DEFAULT_RETRY_POLICY, () => 0.25)).toBe(20);
    expect(retryDelay(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });
});

describe("a portable store whose writes meet write conflicts", () => {
  let store: OpenStore;
  let file: string;
  /** Decides, per call reaching the database, whether it fails with a write conflict. */
  let conflicts: (call: ModelCall) => boolean = () => false;
  const calls: ModelCall[] = [];

  beforeAll(async () => {
    file = tempDatabaseFile();
    store = await openStore(`file:${file}`, {
      portable: true,
      retry: RETRY,
      wrap: (db) =>
        intercepted(db, (call) => {
          calls.push(call);
          if (conflicts(call)) throw writeConflict();
        }),
    });
  });
  afterEach(() => {
    conflicts = () => false;
    calls.length = 0;
  });
  afterAll(async () => {
    await store.close();
    removeDatabase(file);
  });

  /** The first `times` calls matching `which` conflict; later ones go through. */
  const failFirst = (times: number, which: (call: ModelCall) => boolean) => {
    let failed = 0;
    conflicts = (call) => which(call) && failed++ < times;
  };
  const is = (model: string, operation: string) => (call: ModelCall) =>
    call.model === model && call.operation === operation;
  const count = (model: string, operation: string) => calls.filter(is(model, operation)).length;

  const send = (sender: string, destination: string, message: string) =>
    store.messages.saveMessage({ sender, destination, message, type: "chat" });

  it("retries delivery claims and read marks until they go through", async () => {
    const sent = await Promise.all([send("amy", "ben", "1"), send("amy", "ben", "2")]);
    failFirst(2, is("receipt", "updateMany"));
    const delivered = await store.messages.markDelivered(
      "ben",
      sent.map((m) => m.id),
      new Date(),
    );
    expect(delivered.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(count("receipt", "updateMany")).toBe(3);

    failFirst(3, is("receipt", "updateMany"));
    expect(await store.messages.markConversationRead("ben", "amy", new Date())).toEqual(
      sent.map((m) => ({ id: m.id, sender: "amy" })),
    );
    const history = await store.messages.conversation("ben", "amy", { limit: 10 });
    expect(history!.every((m) => m.readAt && m.deliveredAt)).toBe(true);
  });

  it("retries login counters, and counts each attempt once", async () => {
    const now = new Date();
    const count = (state: ThrottleState) =>
      ({
        allow: true,
        next: { attempts: state.attempts + 1, until: null },
        expiresAt: new Date(now.getTime() + 60_000),
      }) as const;
    failFirst(2, is("throttle", "create"));
    await store.throttles.reserve("login cal", now, count);
    failFirst(2, is("throttle", "updateMany"));
    await store.throttles.reserve("login cal", now, count);
    expect(await store.throttles.state("login cal", now)).toEqual({ attempts: 2, until: null });
    failFirst(1, is("throttle", "deleteMany"));
    await store.throttles.clear("login cal");
    expect(await store.throttles.state("login cal", now)).toEqual({ attempts: 0, until: null });
  });

  it("retries subscriptions, sessions and readings", async () => {
    failFirst(2, (call) => ["upsert", "deleteMany", "create"].includes(call.operation));
    await store.devices.subscribe("dee", "thermometer1");
    expect(await store.devices.subscriptionsOf("dee")).toEqual(["thermometer1"]);
    const user = (await store.accounts.createUser("dee", "hash"))!;
    failFirst(1, is("session", "create"));
    await store.accounts.createSession(user.id, "token-dee", new Date(Date.now() + 60_000));
    expect(await store.accounts.sessionUser("token-dee", new Date())).toBe("dee");
    failFirst(1, is("reading", "create"));
    await store.devices.saveReading({ device: "thermometer1", value: 20, unit: "°C", timestamp: new Date() });
    expect(await store.devices.readings("thermometer1", { limit: 5 })).toHaveLength(1);
  });

  it("gives up after the configured retries and reports the conflict", async () => {
    conflicts = is("session", "deleteMany");
    await expect(store.accounts.deleteSession("whatever")).rejects.toMatchObject({ code: "P2034" });
    expect(count("session", "deleteMany")).toBe(RETRY.retries + 1);
  });

  it("answers a username race lost to a write conflict like a taken name", async () => {
    failFirst(1, is("user", "create"));
    expect(await store.accounts.createUser("eve", "hash")).toMatchObject({ username: "eve" });
    conflicts = is("user", "create");
    expect(await store.accounts.createUser("fay", "hash")).toBeUndefined();
    expect(await store.accounts.findUser("fay")).toBeNull();
  });

  it("retries a batch of new messages that met a conflict", async () => {
    failFirst(1, is("message", "createMany"));
    const sent = await Promise.all(["a", "b", "c"].map((text) => send("gil", "hew", text)));
    expect(count("message", "createMany")).toBe(2);
    const stored = await store.messages.undelivered("hew", { limit: 10 });
    expect(stored).toEqual(sent);
  });

  it("fails only the message that cannot be written, not the batch it was in", async () => {
    conflicts = (call) =>
      is("message", "createMany")(call) && call.args.data.some((row: ChatMessage) => row.message === "poison");
    const results = await Promise.allSettled(["one", "poison", "three"].map((text) => send("ida", "jon", text)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "P2034" });
    expect((await store.messages.undelivered("jon", { limit: 10 })).map((m) => m.message)).toEqual(["one", "three"]);
    expect((await store.messages.conversations("jon")).map((c) => c.last.message)).toEqual(["three"]);
  });

  it("stores a message whose conversation row met a lasting conflict, and catches up with the next", async () => {
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      conflicts = (call) => call.model === "conversation" && call.operation !== "findMany";
      const first = await send("kim", "lou", "kept");
      expect((await store.messages.undelivered("lou", { limit: 10 })).map((m) => m.id)).toEqual([first.id]);
      expect(await store.messages.conversations("lou")).toEqual([]);
      expect(errors).toHaveBeenCalledWith("conversation list not updated for new messages:", expect.anything());
      conflicts = () => false;
      await send("kim", "lou", "next");
      expect((await store.messages.conversations("lou")).map((c) => [c.peer, c.last.message, c.unread])).toEqual([
        ["kim", "next", 2],
      ]);
    } finally {
      errors.mockRestore();
    }
  });
});
