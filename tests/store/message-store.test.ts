/**
 * The store's write batching against a real SQLite file: group commit must not change what is
 * stored, in what order, or what each caller is told.
 */
import type { ChatMessage } from "@/lib/protocol";
import { openStore, type OpenStore } from "@/lib/store";
import { GroupCommit } from "@/lib/store/group-commit";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";

describe("GroupCommit", () => {
  it("writes calls made together in one write and resolves each caller after it", async () => {
    const writes: number[][] = [];
    let finished = false;
    const commit = new GroupCommit(
      async (items: number[]) => {
        writes.push(items);
        await new Promise((resolve) => setTimeout(resolve, 10));
        finished = true;
        return items.map((n) => n * 2);
      },
      { maxWeight: 100 },
    );
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        commit.submit(n).then((r) => {
          expect(finished).toBe(true);
          return r;
        }),
      ),
    );
    expect(results).toEqual([2, 4, 6]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it("queues calls made during a write for the next one, within the weight limit", async () => {
    const writes: string[][] = [];
    const commit = new GroupCommit(
      async (items: string[]) => {
        writes.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items;
      },
      { maxWeight: 4, weigh: (item) => item.length },
    );
    const first = commit.submit("a");
    await new Promise((resolve) => setImmediate(resolve)); // the first write has started
    await Promise.all([first, commit.submit("bb"), commit.submit("cc"), commit.submit("d")]);
    expect(writes).toEqual([["a"], ["bb", "cc"], ["d"]]);
  });

  it("rejects every caller of a failed write and carries on with the next", async () => {
    let calls = 0;
    const commit = new GroupCommit(
      async (items: number[]) => {
        calls += 1;
        if (calls === 1) throw new Error("disk full");
        return items;
      },
      { maxWeight: 10 },
    );
    const failed = [commit.submit(1), commit.submit(2)];
    await expect(failed[0]).rejects.toThrow("disk full");
    await expect(failed[1]).rejects.toThrow("disk full");
    await expect(commit.submit(3)).resolves.toBe(3);
  });
});

describe("MessageStore on SQLite", () => {
  let database: OpenStore;
  let file: string;

  beforeAll(async () => {
    file = tempDatabaseFile();
    database = await openStore(`file:${file}`);
    await database.store.createUser("ann", "hash");
  });
  afterAll(async () => {
    await database.close();
    removeDatabase(file);
  });

  it("stores many messages sent at once, in the order they were sent, each read back as saved", async () => {
    const texts = Array.from({ length: 1_200 }, (_, i) => `message ${i}`); // more than one write's worth
    const saved = await Promise.all(
      texts.map((message, i) =>
        database.store.saveMessage({
          sender: "bob",
          destination: "ann",
          message,
          type: "chat",
          metadata: i === 7 ? { celsius: 21.5 } : null,
        }),
      ),
    );
    expect(new Set(saved.map((m) => m.id)).size).toBe(texts.length);

    const stored = [];
    let after: ChatMessage | undefined;
    for (;;) {
      const page = await database.store.undelivered("ann", { after, limit: 500 });
      stored.push(...page);
      if (page.length < 500) break;
      after = page[page.length - 1];
    }
    expect(stored.map((m) => m.message)).toEqual(texts);
    expect(stored).toEqual(saved);
    expect(stored[7]!.metadata).toEqual({ celsius: 21.5 });
    const history = await database.store.conversation("ann", "bob", { limit: 3 });
    expect(history!.map((m) => m.message)).toEqual(texts.slice(-3));
  });

  it("marks each message delivered once, only for its recipient, even when acks arrive together", async () => {
    const [a, b] = await Promise.all([
      database.store.saveMessage({ sender: "bob", destination: "cat", message: "one", type: "chat" }),
      database.store.saveMessage({ sender: "dan", destination: "cat", message: "two", type: "chat" }),
    ]);
    const at = new Date();
    const [first, second, wrongRecipient] = await Promise.all([
      database.store.markDelivered("cat", [a!.id, b!.id], at),
      database.store.markDelivered("cat", [a!.id], at), // a second tab acking the same message
      database.store.markDelivered("eve", [b!.id], at),
    ]);
    expect(first).toEqual([
      { id: a!.id, sender: "bob" },
      { id: b!.id, sender: "dan" },
    ]);
    expect(second).toEqual([]);
    expect(wrongRecipient).toEqual([]);
    expect(await database.store.undelivered("cat", { limit: 10 })).toEqual([]);
  });

  it("marks more messages delivered in one call than SQLite takes bound values in one query", async () => {
    const saved = await Promise.all(
      Array.from({ length: 1_500 }, (_, i) =>
        database.store.saveMessage({ sender: "bob", destination: "fay", message: `m${i}`, type: "chat" }),
      ),
    );
    const delivered = await database.store.markDelivered(
      "fay",
      saved.map((m) => m.id),
      new Date(),
    );
    expect(delivered).toHaveLength(1_500);
    expect(await database.store.undelivered("fay", { limit: 10 })).toEqual([]);
  });

  it("knows who exists, and learns about people who sign up later", async () => {
    expect(await database.store.userExists("ann")).toBe(true);
    expect(await database.store.userExists("gus")).toBe(false);
    await database.store.createUser("gus", "hash");
    expect(await database.store.userExists("gus")).toBe(true);
  });
});
