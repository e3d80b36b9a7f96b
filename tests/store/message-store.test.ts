/**
 * The store's write batching against a real SQLite file: group commit must not change what is
 * stored, in what order, or what each caller is told — with the SQLite fast paths and with the
 * portable code MongoDB runs, which must store exactly the same rows.
 */
import type { Conversation as ConversationRow, Message as MessageRow, Receipt as ReceiptRow } from "@prisma/client";
import Database from "better-sqlite3";
import type { ChatMessage } from "@/lib/contract/payloads";
import { openStore, type OpenStore } from "@/lib/store";
import { GroupCommit } from "@/lib/store/group-commit";
import { parseDatabaseUrl } from "@/lib/store/database-url";
import { migrateSqlite } from "@/lib/store/migrate";
import { receiptsFor } from "@/lib/store/new-message";
import {
  advanceConversations,
  insertMessages,
  insertReceipts,
  newestPerConversation,
  rebuildConversations,
} from "@/lib/store/portable/message-writes";
import { DEFAULT_RETRY_POLICY } from "@/lib/store/retry";
import { createSqliteClient } from "@/lib/store/sqlite/client";
import { storeMessages } from "@/lib/store/sqlite/message-writes";
import { SqliteWriter } from "@/lib/store/sqlite/writer";
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

  it("can write the items of a failed write one by one, so only the item that fails errors", async () => {
    const writes: string[][] = [];
    const commit = new GroupCommit(
      async (items: string[]) => {
        writes.push(items);
        if (items.includes("bad")) throw new Error("refused");
        return items.map((item) => item.toUpperCase());
      },
      { maxWeight: 10, isolateFailures: true },
    );
    const results = await Promise.allSettled(["a", "bad", "c"].map((item) => commit.submit(item)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "A",
      "refused",
      "C",
    ]);
    expect(writes).toEqual([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  });

  it("fails the whole batch at once when the error is nobody's fault (isolateFailures decides by the error)", async () => {
    const writes: string[][] = [];
    const commit = new GroupCommit(
      async (items: string[]) => {
        writes.push(items);
        throw new Error(items.includes("bad") ? "refused" : "busy");
      },
      { maxWeight: 10, isolateFailures: (error) => (error as Error).message !== "busy" },
    );
    const results = await Promise.allSettled(["a", "b"].map((item) => commit.submit(item)));
    expect(results.map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(["busy", "busy"]);
    expect(writes).toEqual([["a", "b"]]);
  });
});

describe.each([
  ["with the SQLite fast paths", false],
  ["portable code only (what MongoDB runs)", true],
])("MessageStore on SQLite, %s", (_mode, portable) => {
  let database: OpenStore;
  let file: string;

  beforeAll(async () => {
    file = tempDatabaseFile();
    database = await openStore(`file:${file}`, { portable });
    await database.accounts.createUser("ann", "hash");
  });
  afterAll(async () => {
    await database.close();
    removeDatabase(file);
  });

  it("stores many messages sent at once, in the order they were sent, each read back as saved", async () => {
    const texts = Array.from({ length: 1_200 }, (_, i) => `message ${i}`); // more than one write's worth
    const saved = await Promise.all(
      texts.map((message, i) =>
        database.messages.saveMessage({
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
      const page = await database.messages.undelivered("ann", { after, limit: 500 });
      stored.push(...page);
      if (page.length < 500) break;
      after = page[page.length - 1];
    }
    expect(stored.map((m) => m.message)).toEqual(texts);
    expect(stored).toEqual(saved);
    expect(stored[7]!.metadata).toEqual({ celsius: 21.5 });
    const history = await database.messages.conversation("ann", "bob", { limit: 3 });
    expect(history!.map((m) => m.message)).toEqual(texts.slice(-3));
  });

  it("marks each message delivered once, only for its recipient, even when acks arrive together", async () => {
    const [a, b] = await Promise.all([
      database.messages.saveMessage({ sender: "bob", destination: "cat", message: "one", type: "chat" }),
      database.messages.saveMessage({ sender: "dan", destination: "cat", message: "two", type: "chat" }),
    ]);
    const at = new Date();
    const [first, second, wrongRecipient] = await Promise.all([
      database.messages.markDelivered("cat", [a!.id, b!.id], at),
      database.messages.markDelivered("cat", [a!.id], at), // a second tab acking the same message
      database.messages.markDelivered("eve", [b!.id], at),
    ]);
    expect(first).toEqual([
      { id: a!.id, sender: "bob" },
      { id: b!.id, sender: "dan" },
    ]);
    expect(second).toEqual([]);
    expect(wrongRecipient).toEqual([]);
    expect(await database.messages.undelivered("cat", { limit: 10 })).toEqual([]);
  });

  it("marks more messages delivered in one call than SQLite takes bound values in one query", async () => {
    const saved = await Promise.all(
      Array.from({ length: 1_500 }, (_, i) =>
        database.messages.saveMessage({ sender: "bob", destination: "fay", message: `m${i}`, type: "chat" }),
      ),
    );
    const delivered = await database.messages.markDelivered(
      "fay",
      saved.map((m) => m.id),
      new Date(),
    );
    expect(delivered).toHaveLength(1_500);
    expect(await database.messages.undelivered("fay", { limit: 10 })).toEqual([]);
  });

  it("marks more messages read in one call than SQLite takes bound values in one query", async () => {
    const sent = await Promise.all(
      Array.from({ length: 2_500 }, (_, i) =>
        database.messages.saveMessage({ sender: "bob", destination: "hal", message: `r${i}`, type: "chat" }),
      ),
    );
    // Some already delivered, as when part of a long backlog reached a socket before the conversation was opened.
    await database.messages.markDelivered(
      "hal",
      sent.slice(0, 1_100).map((m) => m.id),
      new Date(),
    );
    const read = await database.messages.markConversationRead("hal", "bob", new Date());
    expect(read.map((change) => change.id).sort()).toEqual(sent.map((m) => m.id).sort());
    expect((await database.messages.conversations("hal")).map((c) => [c.peer, c.unread])).toEqual([["bob", 0]]);
    expect(await database.messages.undelivered("hal", { limit: 10 })).toEqual([]);
    expect(await database.messages.markConversationRead("hal", "bob", new Date())).toEqual([]);
  });

  it("rebuilds the conversation rows of messages stored before they existed", async () => {
    const people = ["ria", "sam", "tom"];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        database.messages.saveMessage({
          sender: people[i % 3]!,
          destination: people[(i + 1) % 3]!,
          message: `${i}`,
          type: "chat",
        }),
      ),
    );
    const lists = async () => Promise.all(people.map((person) => database.messages.conversations(person)));
    const before = await lists();
    expect(before.map((list) => list.length)).toEqual([2, 2, 2]);
    const client = createSqliteClient(file);
    try {
      await client.conversation.deleteMany();
      expect((await lists()).flat()).toEqual([]);
      expect(await rebuildConversations(client, DEFAULT_RETRY_POLICY)).toBeGreaterThanOrEqual(30);
    } finally {
      await client.$disconnect();
    }
    expect(await lists()).toEqual(before);
  });

  it("stores a clientId once per sender, whether the saves share a batch or meet one already stored", async () => {
    const save = (message: string, clientId: string, sender = "bob") =>
      database.messages.saveMessage({ sender, destination: "ivy", message, type: "chat", clientId });
    // Three saves with one clientId in one batch, beside two others that must not fail with them.
    const together = await Promise.all([
      save("once", "k1"),
      save("once", "k1"),
      save("beside", "k2"),
      save("once", "k1"),
      save("also beside", "k3"),
    ]);
    expect(new Set([together[0]!.id, together[1]!.id, together[3]!.id]).size).toBe(1);
    // A later batch meeting the stored row: the duplicate (the batch's newest) gets the stored message, the others
    // are stored, and the conversation row moves to the newest message actually stored.
    const later = await Promise.all([save("fresh", "k4"), save("fresh too", "k5"), save("once", "k1")]);
    expect(later[2]).toEqual(together[0]);
    // Another sender's clientId is their own.
    const fromCat = await save("once", "k1", "cat");
    expect(fromCat.id).not.toBe(together[0]!.id);

    const stored = rawRows(
      file,
      `SELECT "clientId", "message" FROM "Message" WHERE "destination" = 'ivy' ORDER BY 1, 2`,
    );
    expect(stored).toEqual([
      { clientId: "k1", message: "once" },
      { clientId: "k1", message: "once" }, // cat's
      { clientId: "k2", message: "beside" },
      { clientId: "k3", message: "also beside" },
      { clientId: "k4", message: "fresh" },
      { clientId: "k5", message: "fresh too" },
    ]);
    // The conversation list points at stored messages only.
    expect((await database.messages.conversations("ivy")).map((c) => [c.peer, c.last.message])).toEqual([
      ["cat", "once"],
      ["bob", "fresh too"],
    ]);
  });

  it("knows who exists, and learns about people who sign up later", async () => {
    expect(await database.accounts.userExists("ann")).toBe(true);
    expect(await database.accounts.userExists("gus")).toBe(false);
    await database.accounts.createUser("gus", "hash");
    expect(await database.accounts.userExists("gus")).toBe(true);
  });
});

/** Rows as SQLite stores them, read on a connection of their own. */
function rawRows(file: string, sql: string): unknown[] {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.prepare(sql).all();
  } finally {
    raw.close();
  }
}

describe("the SQLite implementation's writes and their portable twins", () => {
  const files: string[] = [];
  afterAll(() => {
    for (const file of files) removeDatabase(file);
  });

  /** A fresh migrated database, written by `write`, read back raw (every column, as stored). */
  async function storedBy(write: (client: ReturnType<typeof createSqliteClient>, file: string) => Promise<void>) {
    const file = tempDatabaseFile();
    files.push(file);
    const target = parseDatabaseUrl(`file:${file}`);
    if (target.kind !== "sqlite") throw new Error("unreachable");
    await migrateSqlite(target);
    const client = createSqliteClient(file);
    try {
      await write(client, file);
    } finally {
      await client.$disconnect();
    }
    const raw = new Database(file, { readonly: true });
    try {
      return {
        messages: raw.prepare('SELECT * FROM "Message" ORDER BY "id"').all(),
        receipts: raw.prepare('SELECT * FROM "Receipt" ORDER BY "messageId", "recipient"').all(),
        conversations: raw
          .prepare('SELECT "owner", "peer", "lastTimestamp", "lastMessageId" FROM "Conversation" ORDER BY 1, 2')
          .all(),
      };
    } finally {
      raw.close();
    }
  }

  const at = (ms: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, 0, ms));
  const message = (id: string, sender: string, destination: string, ms: number, extra: Partial<MessageRow> = {}) =>
    ({
      id,
      sender,
      destination,
      message: `text of ${id}`,
      timestamp: at(ms),
      type: "chat",
      metadata: null,
      clientId: null,
      ...extra,
      clientKey: extra.clientId ?? id,
    }) as MessageRow;
  /** Receipts with fixed ids, so both paths store byte-identical rows: a DM's one, a group message's per member. */
  const recipientsOf = new Map<string, string[]>([["m7", ["bob", "cat", "dan"]]]);
  const receipts = (rows: MessageRow[]): ReceiptRow[] =>
    rows.flatMap((row) =>
      receiptsFor(row, recipientsOf.get(row.id) ?? [row.destination]).map((receipt) => ({
        ...receipt,
        id: `r-${row.id}-${receipt.recipient}`,
        ...(row.id === "m2" ? { deliveredAt: at(3), readAt: at(4), deliveryClaim: "claim" } : {}),
      })),
    );
  // Three writes; the second brings an older message, which must not move its conversation back; the third a
  // resend of m1 (its clientId), the newest of its conversation, which must be skipped without failing m6.
  const batches: MessageRow[][] = [
    [
      message("m1", "ann", "bob", 1, { metadata: { celsius: 21.5, tags: ["a"] }, clientId: "c-1" }),
      message("m2", "bob", "ann", 2),
      message("m3", "ann", "cat", 2),
    ],
    [message("m0", "cat", "ann", 0), message("m4", "bob", "dan", 5, { type: "command" })],
    [message("m6", "ann", "bob", 3), message("m5", "ann", "bob", 4, { clientId: "c-1" })],
    [message("m7", "ann", "#g1", 6)],
  ];
  const expectedStored = [["m1", "m2", "m3"], ["m0", "m4"], ["m6"], ["m7"]];

  it("store the same rows, byte for byte, and skip the same duplicate", async () => {
    const storedIds: string[][][] = [[], []];
    const fast = await storedBy(async (_client, file) => {
      const writer = new SqliteWriter(file);
      try {
        for (const rows of batches) storedIds[0]!.push([...storeMessages(writer, rows, receipts(rows))].sort());
      } finally {
        writer.close();
      }
    });
    const portable = await storedBy(async (client) => {
      for (const rows of batches) {
        const stored = await insertMessages(client, rows, DEFAULT_RETRY_POLICY);
        storedIds[1]!.push([...stored].sort());
        const written = receipts(rows.filter((row) => stored.has(row.id)));
        await insertReceipts(client, written, DEFAULT_RETRY_POLICY);
        const conversations = newestPerConversation(
          rows.filter((row) => stored.has(row.id)),
          written,
        );
        await advanceConversations(client, conversations, DEFAULT_RETRY_POLICY);
      }
    });
    expect(storedIds).toEqual([expectedStored, expectedStored]);
    expect(fast.messages).toHaveLength(7);
    // One receipt per direct message (the skipped resend has none), one per member for the group message.
    expect(fast.receipts).toHaveLength(6 + 3);
    expect(portable).toEqual(fast);
    expect(fast.conversations).toEqual(
      (
        [
          ["ann", "#g1", 6, "m7"],
          ["ann", "bob", 3, "m6"],
          ["ann", "cat", 2, "m3"],
          ["bob", "#g1", 6, "m7"],
          ["bob", "ann", 3, "m6"],
          ["bob", "dan", 5, "m4"],
          ["cat", "#g1", 6, "m7"],
          ["cat", "ann", 2, "m3"],
          ["dan", "#g1", 6, "m7"],
          ["dan", "bob", 5, "m4"],
        ] as const
      ).map(([owner, peer, ms, id]) => ({
        owner,
        peer,
        lastTimestamp: at(ms).toISOString().replace("Z", "+00:00"),
        lastMessageId: id,
      })),
    );
  });

  it("pick the newest message of each conversation, ties broken by id", () => {
    const rows = [message("b", "x", "y", 7), message("a", "y", "x", 7), message("c", "x", "z", 1)];
    const pointers: Pick<ConversationRow, "owner" | "peer" | "lastMessageId">[] = newestPerConversation(
      rows,
      rows.flatMap((row) => receiptsFor(row, [row.destination])),
    );
    expect(pointers.map(({ owner, peer, lastMessageId }) => [owner, peer, lastMessageId]).sort()).toEqual([
      ["x", "y", "b"],
      ["x", "z", "c"],
      ["y", "x", "b"],
      ["z", "x", "c"],
    ]);
  });
});
