/**
 * Groups in the store, against a real SQLite file, with the SQLite fast paths and with the portable code MongoDB
 * runs: a group message is one message row and one receipt per member; delivery, read marks, history, backlog and
 * the conversation list are per member; both paths give the same answers.
 */
import { openStore, type OpenStore, groupKey } from "@/lib/store";
import type { ChatMessage } from "@/lib/contract/payloads";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";

/** What a test compares across the two paths: everything but ids and times, which differ per run. */
const shape = (messages: ChatMessage[]) =>
  messages.map((m) => ({
    sender: m.sender,
    destination: m.destination,
    message: m.message,
    delivered: m.deliveredAt !== null,
    read: m.readAt !== null,
    receipts: m.receipts,
  }));

const results = new Map<boolean, unknown[]>();

describe.each([
  ["with the SQLite fast paths", false],
  ["portable code only (what MongoDB runs)", true],
])("groups in the store, %s", (_mode, portable) => {
  let database: OpenStore;
  let file: string;
  const seen: unknown[] = [];

  beforeAll(async () => {
    file = tempDatabaseFile();
    database = await openStore(`file:${file}`, { portable });
    results.set(portable, seen);
  });
  afterAll(async () => {
    await database.close();
    removeDatabase(file);
  });

  it("creates a group with its owner first, and refuses a taken name", async () => {
    const at = new Date();
    const group = await database.groups.create("team", "ann", ["bob", "cat", "ann"], at);
    expect(group).toMatchObject({ name: "team", owner: "ann" });
    expect((await database.groups.members(group!.id)).map((m) => m.username)).toEqual(["ann", "bob", "cat"]);
    expect(await database.groups.create("team", "dan", ["eve"], at)).toBeUndefined();
    expect((await database.groups.groupsOf("bob")).map((g) => g.name)).toEqual(["team"]);
    expect(await database.groups.groupsOf("dan")).toEqual([]);
    // Names that are members of Object.prototype are ordinary names.
    for (const name of ["__proto__", "constructor", "toString"]) {
      const hostile = await database.groups.create(name, name, ["ann"], at);
      expect(hostile?.name).toBe(name);
      expect((await database.groups.byName(name))?.id).toBe(hostile!.id);
    }
  });

  it("stores a group message once, with a receipt per member, and keeps delivery and reading per member", async () => {
    const group = (await database.groups.byName("team"))!;
    const key = groupKey(group);
    const sent = await database.messages.save({
      sender: "ann",
      destination: key,
      message: "hello team",
      type: "chat",
      recipients: ["bob", "cat"],
      clientId: "g-1",
    });
    expect(sent.message).toMatchObject({
      destination: "#team",
      receipts: { recipients: 2, deliveredTo: [], readBy: [] },
    });
    const resend = await database.messages.save({
      sender: "ann",
      destination: key,
      message: "hello team",
      type: "chat",
      recipients: ["bob", "cat"],
      clientId: "g-1",
    });
    expect(resend).toMatchObject({ resent: true, message: { id: sent.message.id } });

    // Both members have it waiting, named by the group's name.
    for (const member of ["bob", "cat"]) {
      const waiting = await database.messages.undelivered(member, { limit: 10 });
      expect(waiting.map((m) => [m.id, m.destination])).toEqual([[sent.message.id, "#team"]]);
    }
    // Bob acks twice at once: one delivery; cat's is still waiting.
    const acks = await Promise.all([
      database.messages.markDelivered("bob", [sent.message.id], new Date()),
      database.messages.markDelivered("bob", [sent.message.id], new Date()),
    ]);
    expect(acks.flat()).toEqual([{ id: sent.message.id, sender: "ann", group: true }]);
    expect(await database.messages.undelivered("bob", { limit: 10 })).toEqual([]);
    expect((await database.messages.undelivered("cat", { limit: 10 })).map((m) => m.id)).toEqual([sent.message.id]);
    // Someone who is no recipient cannot mark it.
    expect(await database.messages.markDelivered("dan", [sent.message.id], new Date())).toEqual([]);

    // The sender sees "delivered to 1 of 2"; after cat reads, "read by cat".
    let history = (await database.messages.conversation("ann", key, { limit: 10 }))!;
    expect(history.map((m) => m.receipts)).toEqual([{ recipients: 2, deliveredTo: ["bob"], readBy: [] }]);
    expect(await database.messages.markConversationRead("cat", key, new Date())).toEqual([
      { id: sent.message.id, sender: "ann", group: true },
    ]);
    history = (await database.messages.conversation("ann", key, { limit: 10 }))!;
    expect(history.map((m) => m.receipts)).toEqual([{ recipients: 2, deliveredTo: ["bob", "cat"], readBy: ["cat"] }]);
    // A member sees their own marks, not the summary.
    const bobs = (await database.messages.conversation("bob", key, { limit: 10 }))!;
    expect(bobs.map((m) => [m.message, m.deliveredAt !== null, m.readAt !== null, m.receipts])).toEqual([
      ["hello team", true, false, undefined],
    ]);
    seen.push(shape(history), shape(bobs));
  });

  it("pages a member's group history: what they sent and received, never what was sent outside their membership", async () => {
    const group = (await database.groups.byName("team"))!;
    const key = groupKey(group);
    const send = (sender: string, text: string, recipients: string[]) =>
      database.messages.saveMessage({ sender, destination: key, message: text, type: "chat", recipients });
    await send("bob", "from bob", ["ann", "cat"]);
    await database.groups.removeMember(group.id, "cat");
    await send("ann", "cat is gone", ["bob"]);
    await database.groups.addMember(group.id, "cat", new Date());
    await send("ann", "cat is back", ["bob", "cat"]);

    const texts = async (viewer: string, before?: string) =>
      (await database.messages.conversation(viewer, key, { limit: 2, before }))!.map((m) => m.message);
    expect(await texts("ann")).toEqual(["cat is gone", "cat is back"]);
    const annsLast = (await database.messages.conversation("ann", key, { limit: 2 }))!;
    expect(await texts("ann", annsLast[0]!.id)).toEqual(["hello team", "from bob"]);
    // Cat: both membership periods, not the gap.
    const cats = (await database.messages.conversation("cat", key, { limit: 10 }))!.map((m) => m.message);
    expect(cats).toEqual(["hello team", "from bob", "cat is back"]);
    // A cursor from outside what the viewer may see is refused, as a message of another conversation is.
    const gap = annsLast[0]!.id;
    expect(await database.messages.conversation("cat", key, { limit: 10, before: gap })).toBeUndefined();
    seen.push(cats);
  });

  it("lists groups among a member's conversations, with unread counts, and drops them once they leave", async () => {
    const group = (await database.groups.byName("team"))!;
    const key = groupKey(group);
    await database.messages.saveMessage({ sender: "dan", destination: "bob", message: "a DM", type: "chat" });
    const list = async (who: string, groups: Set<string>) =>
      (await database.messages.conversations(who, groups)).map((c) => [c.peer, c.last.message, c.unread]);
    expect(await list("bob", new Set([key]))).toEqual([
      ["dan", "a DM", 1],
      ["#team", "cat is back", 3],
    ]);
    expect(await list("bob", new Set())).toEqual([["dan", "a DM", 1]]);
    seen.push(await list("cat", new Set([key])));
  });

  it("renames without touching a message: old messages carry the new name", async () => {
    const group = (await database.groups.byName("team"))!;
    expect(await database.groups.rename(group.id, "crew")).toBe(true);
    expect(await database.groups.rename(group.id, "__proto__")).toBe(false); // taken by another group
    const page = (await database.messages.conversation("bob", groupKey(group), { limit: 1 }))!;
    expect(page[0]!.destination).toBe("#crew");
  });

  it("stores a group message to 300 members in one write with every receipt", async () => {
    const members = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const group = (await database.groups.create("big", "owner", members, new Date()))!;
    const sent = await database.messages.saveMessage({
      sender: "owner",
      destination: groupKey(group),
      message: "to all",
      type: "chat",
      recipients: members,
    });
    expect(sent.receipts).toEqual({ recipients: 300, deliveredTo: [], readBy: [] });
    expect(await database.messages.markDelivered("m299", [sent.id], new Date())).toHaveLength(1);

    // Every other member acks at once (one write for all of them, in slices): each is delivered once, to its own
    // receipt, and an ack repeated in the same write counts once.
    const acks = await Promise.all(
      members
        .slice(0, 299)
        .flatMap((member) => [
          database.messages.markDelivered(member, [sent.id], new Date()),
          ...(member === "m7" ? [database.messages.markDelivered(member, [sent.id], new Date())] : []),
        ]),
    );
    expect(acks.map((changes) => changes.length).reduce((sum, n) => sum + n, 0)).toBe(299);
    const [after] = (await database.messages.conversation("owner", groupKey(group), { limit: 1 }))!;
    expect(after!.receipts?.deliveredTo).toHaveLength(300);
  });
});

test("both paths gave the same answers", () => {
  expect(results.get(true)).toEqual(results.get(false));
  expect(results.get(false)?.length).toBe(4);
});
