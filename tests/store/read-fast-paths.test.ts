/**
 * The SQLite message reads (lib/store/sqlite/message-reads.ts) against their portable twins, on one real database:
 * the SQLite implementation and the portable one (what MongoDB runs) over the same file answer every page and every
 * backlog batch identically — order, cursors, marks, group summaries and refusals included — and the SQLite one
 * answers them without a single Prisma query.
 */
import type { ChatMessage } from "@/lib/contract/payloads";
import { groupKey, type MessageStore, type NewMessage, openStore, type OpenStore } from "@/lib/store";
import { PortableMessageStore } from "@/lib/store/portable/messages";
import { createSqliteClient, type SqliteClient } from "@/lib/store/sqlite/client";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";
import { intercepted, type ModelCall } from "./database-seam";

const byTime = (a: ChatMessage, b: ChatMessage) =>
  Date.parse(a.timestamp) - Date.parse(b.timestamp) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe("the SQLite message reads and their portable twins, on the same data", () => {
  let file: string;
  let fast: OpenStore;
  let client: SqliteClient;
  let portable: MessageStore;
  const calls: ModelCall[] = [];
  let group = "";
  let other = "";
  const sent: ChatMessage[] = [];

  /** Saves through either store, so rows written by the fast path and by Prisma are both read. */
  const save = async (input: NewMessage, through: "fast" | "portable" = "fast") => {
    const message = await (through === "fast" ? fast.messages : portable).saveMessage(input);
    sent.push(message);
    return message;
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

  beforeAll(async () => {
    file = tempDatabaseFile();
    fast = await openStore(`file:${file}`, {
      wrap: (db) => intercepted(db, (call) => calls.push(call)),
    });
    client = createSqliteClient(file);
    portable = new PortableMessageStore(client);

    const created = await fast.groups.create("crew", "ann", ["bob", "cat"], new Date());
    const renamed = await fast.groups.create("other", "bob", ["cat"], new Date());
    group = groupKey(created!);
    other = groupKey(renamed!);
    const crew = ["ann", "bob", "cat"];
    const inGroup = (sender: string, message: string, members = crew): NewMessage => ({
      sender,
      destination: group,
      message,
      type: "chat",
      recipients: members.filter((member) => member !== sender),
    });

    // Bursts saved together land in one write, many in one millisecond: ties broken by id.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        save({
          sender: i % 3 === 0 ? "bob" : "ann",
          destination: i % 3 === 0 ? "ann" : "bob",
          message: `burst ${i}`,
          type: "chat",
        }),
      ),
    );
    for (let i = 0; i < 12; i += 1) {
      await tick();
      await save(
        {
          sender: i % 2 ? "ann" : "bob",
          destination: i % 2 ? "bob" : "ann",
          message: `one by one ${i}`,
          type: "chat",
          ...(i === 3 ? { clientId: "client-3", metadata: { celsius: 21.5, tags: ["x"] } } : {}),
        },
        i % 4 === 0 ? "portable" : "fast",
      );
    }
    await Promise.all(Array.from({ length: 15 }, (_, i) => save(inGroup(["ann", "bob", "cat"][i % 3]!, `crew ${i}`))));
    // dan joins the crew late: he has receipts only for what is sent from now on.
    for (let i = 0; i < 6; i += 1) {
      await tick();
      await save(inGroup(i % 2 ? "dan" : "cat", `crew later ${i}`, [...crew, "dan"]), i === 2 ? "portable" : "fast");
    }
    await save({ sender: "cat", destination: other, message: "elsewhere", type: "chat", recipients: ["bob"] });
    await save({ sender: "ann", destination: "cat", message: "to cat", type: "chat" });
    // A note to oneself is both sent and received: the portable path shows it on both sides, and so must SQL.
    await save({ sender: "ann", destination: "ann", message: "note to self", type: "chat" });
    await save({ sender: "dev", destination: "ann", message: "reading", type: "command", metadata: null });

    // Marks of every kind: some delivered, some read, a group message read by one member.
    const toAnn = sent.filter((m) => m.destination === "ann" && m.sender === "bob");
    await fast.messages.markDelivered(
      "ann",
      toAnn.slice(0, 5).map((m) => m.id),
      new Date(),
    );
    await portable.markDelivered(
      "ann",
      toAnn.slice(5, 8).map((m) => m.id),
      new Date(),
    );
    await fast.messages.markConversationRead("bob", "ann", new Date());
    await portable.markConversationRead("cat", group, new Date());
    await fast.messages.markDelivered(
      "bob",
      sent.filter((m) => m.message.startsWith("crew ")).map((m) => m.id),
      new Date(),
    );
  });

  afterAll(async () => {
    await fast.close();
    await client.$disconnect();
    removeDatabase(file);
  });

  /** Both stores' answers to one read; fails if they differ, and if the fast store reached for Prisma. */
  async function both<T>(read: (store: MessageStore) => Promise<T>): Promise<T> {
    calls.length = 0;
    const answer = await read(fast.messages);
    expect(calls).toEqual([]);
    expect(await read(portable)).toEqual(answer);
    return answer;
  }

  /** Every page of a conversation, newest first, each compared on both stores; returns them all oldest first. */
  async function walk(viewer: string, conversation: string, limit: number): Promise<ChatMessage[]> {
    const pages: ChatMessage[][] = [];
    let before: string | undefined;
    for (;;) {
      const page = await both((store) => store.conversation(viewer, conversation, { before, limit }));
      expect(page).toBeDefined();
      pages.unshift(page!);
      if (page!.length < limit) break;
      before = page![0]!.id;
    }
    const all = pages.flat();
    expect([...all].sort(byTime)).toEqual(all);
    return all;
  }

  it("page through a direct conversation identically, at every page size", async () => {
    const expected = sent
      .filter((m) => (m.sender === "ann" && m.destination === "bob") || (m.sender === "bob" && m.destination === "ann"))
      .map((m) => m.id);
    for (const limit of [1, 3, 7, 50, 200]) {
      const fromAnn = await walk("ann", "bob", limit);
      expect(fromAnn.map((m) => m.id).sort()).toEqual([...expected].sort());
      const fromBob = await walk("bob", "ann", limit);
      expect(fromBob.map((m) => m.id)).toEqual(fromAnn.map((m) => m.id));
    }
    // The marks come with the rows: what bob read shows read to ann, the clientId and metadata as stored.
    const fromAnnToBob = (await walk("ann", "bob", 200)).filter((m) => m.sender === "ann");
    expect(fromAnnToBob.every((m) => m.readAt !== null)).toBe(true);
    const delivered = (await walk("ann", "bob", 200)).filter((m) => m.sender === "bob" && m.deliveredAt !== null);
    expect(delivered).toHaveLength(8);
    const withMetadata = (await walk("bob", "ann", 200)).find((m) => m.clientId === "client-3");
    expect(withMetadata?.metadata).toEqual({ celsius: 21.5, tags: ["x"] });
  });

  it("page through a group identically: members see what was sent while they were in it, senders a summary", async () => {
    const crew = await walk("ann", group, 4);
    expect(crew).toHaveLength(21);
    expect(crew.every((m) => m.destination === "#crew")).toBe(true);
    expect(crew.find((m) => m.sender === "ann")?.receipts).toEqual(
      expect.objectContaining({ recipients: 2, readBy: ["cat"] }),
    );
    expect(await walk("cat", group, 5)).toHaveLength(21);
    expect(await walk("dan", group, 2)).toHaveLength(6); // only what was sent after he joined
    expect(await walk("bob", other, 3)).toHaveLength(1);
  });

  it("answer the edge cases identically", async () => {
    const oldest = (await walk("ann", "bob", 200))[0]!;
    const inGroup = (await walk("ann", group, 200))[0]!;
    const page = (viewer: string, conversation: string, before?: string, limit = 10) =>
      both((store) => store.conversation(viewer, conversation, { before, limit }));
    expect(await page("ann", "nobody")).toEqual([]); // an empty conversation
    expect(await page("ann", "bob", oldest.id)).toEqual([]); // the cursor at the oldest message
    expect(await page("ann", "bob", "no-such-message")).toBeUndefined(); // an unknown cursor
    expect(await page("ann", "bob", "")).toEqual(await page("ann", "bob")); // an empty cursor is no cursor, as there
    expect(await page("ann", "cat", oldest.id)).toBeUndefined(); // a cursor from another conversation
    expect(await page("cat", "bob", oldest.id)).toBeUndefined(); // a cursor the viewer is not party to
    expect(await page("eve", group)).toEqual([]); // not a member: no receipts, nothing sent
    expect(await page("eve", group, inGroup.id)).toBeUndefined();
    expect(await page("dan", group, inGroup.id)).toBeUndefined(); // sent before he joined
    expect(await page("ann", "ann")).toHaveLength(2); // a note to oneself: sent and received, as the twin shows it
    expect(await page("ann", "dev")).toHaveLength(1);
  });

  it("read the backlog identically, batch by batch, from any cursor", async () => {
    for (const person of ["ann", "bob", "cat", "dan", "eve"]) {
      for (const limit of [1, 2, 7, 500]) {
        const batches: ChatMessage[] = [];
        let after: ChatMessage | undefined;
        for (;;) {
          const batch = await both((store) => store.undelivered(person, { after, limit }));
          batches.push(...batch);
          if (batch.length < limit) break;
          after = batch.at(-1);
        }
        expect([...batches].sort(byTime)).toEqual(batches);
        expect(batches.every((m) => m.deliveredAt === null)).toBe(true);
        const all = await both((store) => store.undelivered(person, { limit: 500 }));
        expect(batches).toEqual(all);
      }
    }
    const waiting = await both((store) => store.undelivered("ann", { limit: 500 }));
    expect(waiting.length).toBeGreaterThan(10);
    // A cursor from the wire carries only an id and a time; one between two messages of a millisecond, and one past
    // everything, place the same way on both.
    const middle = waiting[Math.floor(waiting.length / 2)]!;
    for (const after of [
      { id: middle.id, timestamp: middle.timestamp },
      { id: `${middle.id}~`, timestamp: middle.timestamp },
      { id: "", timestamp: middle.timestamp },
      { id: "z", timestamp: new Date(Date.parse(middle.timestamp) + 60_000).toISOString() },
    ]) {
      await both((store) => store.undelivered("ann", { after, limit: 500 }));
    }
    expect(await both((store) => store.undelivered("nobody", { limit: 10 }))).toEqual([]);
    // Group messages in the backlog are named as the recipient sees them.
    const dans = await both((store) => store.undelivered("dan", { limit: 500 }));
    expect(dans.map((m) => m.destination)).toEqual(Array(dans.length).fill("#crew"));
  });
});
