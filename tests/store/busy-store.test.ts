/**
 * The store on a SQLite file whose write lock another connection holds (a real second better-sqlite3
 * connection, BEGIN IMMEDIATE): writes wait without blocking the event loop and go through once the lock is
 * released, or fail after the busy timeout with "the store is busy: try again" having stored nothing; reads
 * keep working; both with the SQLite fast path and with the portable code.
 */
import Database from "better-sqlite3";
import { ChatError } from "@/lib/errors";
import { openStore, type OpenStore } from "@/lib/store";
import { isStoreBusy } from "@/lib/store/busy";
import { removeDatabase, tempDatabaseFile } from "../support/server";

/** Takes the write lock on a second connection; `release()` commits and closes it. */
function lockWrites(file: string) {
  const db = new Database(file);
  db.exec("BEGIN IMMEDIATE");
  return {
    release() {
      db.exec("COMMIT");
      db.close();
    },
  };
}

/** The longest gap between ticks of a 5 ms timer while `work` runs: how long the event loop was blocked. */
async function eventLoopBlockedMs<T>(work: () => Promise<T>): Promise<{ result: T; blockedMs: number }> {
  let last = Date.now();
  let blockedMs = 0;
  const timer = setInterval(() => {
    blockedMs = Math.max(blockedMs, Date.now() - last);
    last = Date.now();
  }, 5);
  try {
    return { result: await work(), blockedMs };
  } finally {
    clearInterval(timer);
  }
}

describe.each([
  ["with the SQLite fast path", false],
  ["portable code only (what MongoDB runs)", true],
])("a busy SQLite store, %s", (_mode, portable) => {
  const BUSY_TIMEOUT_MS = 1_500;
  const SHORT_LOCK_MS = 1_000;
  let store: OpenStore;
  let file: string;

  beforeAll(async () => {
    file = tempDatabaseFile();
    store = await openStore(`file:${file}`, { portable, busyTimeoutMs: BUSY_TIMEOUT_MS });
    await store.accounts.createUser("ann", "hash");
    // Every query below once, so what is measured under the lock is the lock, not Prisma compiling a query.
    await store.messages.saveMessage({ sender: "cat", destination: "ann", message: "warm", type: "chat" });
    await store.messages.conversation("ann", "cat", { limit: 10 });
  });
  afterAll(async () => {
    await store.close();
    removeDatabase(file);
  });

  const send = (message: string) =>
    store.messages.saveMessage({ sender: "bob", destination: "ann", message, type: "chat" });

  it("waits for a lock shorter than the timeout without blocking the event loop, reads meanwhile, then stores", async () => {
    const lock = lockWrites(file);
    setTimeout(() => lock.release(), SHORT_LOCK_MS);
    const { result, blockedMs } = await eventLoopBlockedMs(async () => {
      const sends = Promise.all(["w1", "w2", "w3"].map(send));
      const reads = await Promise.all([
        store.accounts.findUser("ann"),
        store.messages.conversation("ann", "bob", { limit: 10 }),
      ]);
      expect(reads[0]?.username).toBe("ann");
      return sends;
    });
    expect(result.map((m) => m.message)).toEqual(["w1", "w2", "w3"]);
    // Waiting inside SQLite would block the event loop for the whole lock.
    expect(blockedMs).toBeLessThan(SHORT_LOCK_MS / 2);
    const stored = await store.messages.undelivered("ann", { limit: 10 });
    expect(stored.map((m) => m.message)).toEqual(["warm", "w1", "w2", "w3"]);
  });

  it("fails writes under a longer lock with a 503 'try again' after the timeout, stores nothing, recovers", async () => {
    const lock = lockWrites(file);
    const started = Date.now();
    try {
      const results = await Promise.allSettled([
        send("lost1"),
        send("lost2"),
        store.accounts.touchLastSeen("ann", new Date()),
        store.messages.markDelivered("ann", ["no-such-id"], new Date()),
      ]);
      const elapsed = Date.now() - started;
      for (const result of results) {
        expect(result.status).toBe("rejected");
        const reason = (result as PromiseRejectedResult).reason;
        expect(ChatError.is(reason) && [reason.status, reason.message]).toEqual([503, "the store is busy: try again"]);
        expect(isStoreBusy(reason)).toBe(true);
      }
      expect(elapsed).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS - 5);
      expect(elapsed).toBeLessThan(BUSY_TIMEOUT_MS + 1_000);
    } finally {
      lock.release();
    }
    const stored = await store.messages.undelivered("ann", { limit: 10 });
    expect(stored.map((m) => m.message)).toEqual(["warm", "w1", "w2", "w3"]);
    expect((await send("after")).message).toBe("after");
  });
});
