/**
 * Reading messages the portable way — Prisma Client calls only, exactly what runs on MongoDB: a person's backlog,
 * a conversation's pages, the conversation list, a message's receipts, and presenting rows as `viewer` sees them.
 * The SQLite implementation answers the backlog and the pages with statements of its own (../sqlite/message-reads.ts),
 * held to return exactly what these return.
 */
import type { Message as MessageRow, Prisma, Receipt as ReceiptRow } from "@prisma/client";
import { isGroup } from "../../contract/names";
import { compareChronologically } from "../../contract/order";
import type { ChatMessage, ConversationSummary } from "../../contract/payloads";
import { toChatMessage } from "../chat-message";
import type { Database } from "../database";
import { groupKey } from "../groups";
import type { Page, UndeliveredOptions } from "../messages";
import { IDS_PER_QUERY, slices } from "./slices";

/** Newest first; the id breaks ties between messages stored in the same millisecond. */
const NEWEST_FIRST = [{ timestamp: "desc" }, { id: "desc" }] satisfies Prisma.MessageOrderByWithRelationInput[];
const RECEIPTS_CHRONOLOGICAL = [
  { timestamp: "asc" },
  { messageId: "asc" },
] satisfies Prisma.ReceiptOrderByWithRelationInput[];
const RECEIPTS_NEWEST_FIRST = [
  { timestamp: "desc" },
  { messageId: "desc" },
] satisfies Prisma.ReceiptOrderByWithRelationInput[];

/** Messages still waiting for `recipient`, oldest first, resuming after the message `after`. */
export async function undelivered(
  db: Database,
  recipient: string,
  options: UndeliveredOptions,
): Promise<ChatMessage[]> {
  const receipts = await db.receipt.findMany({
    where: { recipient, deliveredAt: null, ...(options.after ? receiptLaterThan(options.after) : {}) },
    orderBy: RECEIPTS_CHRONOLOGICAL,
    take: options.limit,
  });
  const rows = await messagesById(
    db,
    receipts.map((r) => r.messageId),
  );
  // The recipient's own receipt is all that shows of a message to them: nothing more to read.
  const names = await groupNames(
    db,
    receipts.map((r) => r.conversation),
  );
  return receipts.flatMap((receipt) => {
    const row = rows.get(receipt.messageId);
    return row ? [toChatMessage(row, [receipt], recipient, names)] : [];
  });
}

/**
 * One page of a conversation as `viewer` sees it, oldest first, ending before `page.before`; undefined when that is
 * not a message the viewer sent to or received in this conversation.
 */
export async function conversationPage(
  db: Database,
  viewer: string,
  conversation: string,
  page: Page,
): Promise<ChatMessage[] | undefined> {
  let cursor: MessageRow | null = null;
  if (page.before) {
    cursor = await db.message.findUnique({ where: { id: page.before } });
    if (!cursor || !(await isIn(db, cursor, viewer, conversation))) return undefined;
  }
  // One index range scan per direction, merged here: an OR across both makes the database sort them all.
  const [sent, received] = await Promise.all([
    db.message.findMany({
      where: { sender: viewer, destination: conversation, ...(cursor ? earlierThan(cursor) : {}) },
      orderBy: NEWEST_FIRST,
      take: page.limit,
    }),
    db.receipt.findMany({
      where: { recipient: viewer, conversation, ...(cursor ? receiptEarlierThan(cursor) : {}) },
      orderBy: RECEIPTS_NEWEST_FIRST,
      take: page.limit,
      select: { messageId: true },
    }),
  ]);
  const receivedRows = await messagesById(
    db,
    received.map((r) => r.messageId),
  );
  const newest = [...sent, ...receivedRows.values()].sort((x, y) => compareChronologically(y, x)).slice(0, page.limit);
  return present(db, newest.reverse(), viewer);
}

/** Whether `viewer` sent this message to `conversation` or received it there. */
async function isIn(db: Database, row: MessageRow, viewer: string, conversation: string): Promise<boolean> {
  if (row.sender === viewer) return row.destination === conversation;
  const receipt = await db.receipt.findUnique({
    where: { messageId_recipient: { messageId: row.id, recipient: viewer } },
    select: { conversation: true },
  });
  return receipt?.conversation === conversation;
}

/** Every receipt of one message, for its sender: who has it, who read it. */
export async function receiptsOf(
  db: Database,
  messageId: string,
): Promise<{ message: MessageRow; receipts: ReceiptRow[] } | undefined> {
  const message = await db.message.findUnique({ where: { id: messageId } });
  if (!message) return undefined;
  return { message, receipts: await db.receipt.findMany({ where: { messageId } }) };
}

/**
 * For each conversation `username` has (a peer, or a group key among `groups`): the latest message and how many are
 * unread, newest conversation first. Reads one conversation row and one message per conversation, and the index
 * entries of the unread receipts — never every message.
 */
export async function conversationList(
  db: Database,
  username: string,
  groups: Set<string>,
): Promise<ConversationSummary[]> {
  const rows = (await db.conversation.findMany({ where: { owner: username } })).filter(
    (row) => !isGroup(row.peer) || groups.has(row.peer),
  );
  if (rows.length === 0) return [];
  const [lastMessages, unread] = await Promise.all([
    messagesById(
      db,
      rows.map((row) => row.lastMessageId),
    ),
    db.receipt.groupBy({ by: ["conversation"], where: { recipient: username, readAt: null }, _count: true }),
  ]);
  const unreadIn = new Map(unread.map((group) => [group.conversation, group._count]));
  const listed = rows
    .flatMap((row) => {
      const last = lastMessages.get(row.lastMessageId);
      return last ? [{ peer: row.peer, last, unread: unreadIn.get(row.peer) ?? 0 }] : [];
    })
    .sort((x, y) => compareChronologically(y.last, x.last));
  const presented = await present(
    db,
    listed.map((entry) => entry.last),
    username,
  );
  const names = await groupNames(
    db,
    listed.map((entry) => entry.peer),
  );
  return listed.map(({ peer, unread }, i) => ({ peer: names.get(peer) ?? peer, last: presented[i]!, unread }));
}

/** Message rows as `viewer` sees them: receipts attached, group keys named. */
export async function present(db: Database, rows: MessageRow[], viewer: string): Promise<ChatMessage[]> {
  if (rows.length === 0) return [];
  const receipts = new Map<string, ReceiptRow[]>();
  for (const slice of slices(
    rows.map((row) => row.id),
    IDS_PER_QUERY,
  )) {
    for (const receipt of await db.receipt.findMany({ where: { messageId: { in: slice } } })) {
      const list = receipts.get(receipt.messageId) ?? [];
      list.push(receipt);
      receipts.set(receipt.messageId, list);
    }
  }
  const names = await groupNames(
    db,
    rows.map((row) => row.destination),
  );
  return rows.map((row) => toChatMessage(row, receipts.get(row.id) ?? [], viewer, names));
}

/** `#<group id>` → `#<name>` for the group keys among `keys`. */
export async function groupNames(db: Database, keys: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(keys.filter(isGroup).map((key) => key.slice(1)))];
  const names = new Map<string, string>();
  for (const slice of slices(ids, IDS_PER_QUERY)) {
    for (const group of await db.group.findMany({ where: { id: { in: slice } } }))
      names.set(groupKey(group), `#${group.name}`);
  }
  return names;
}

/** The message already stored under a row's (sender, clientKey), which refused the row. */
export async function storedUnder(db: Database, row: MessageRow): Promise<MessageRow> {
  const stored = await db.message.findUnique({
    where: { sender_clientKey: { sender: row.sender, clientKey: row.clientKey } },
  });
  if (!stored) throw new Error(`message ${row.id} was neither stored nor refused as a duplicate`);
  return stored;
}

async function messagesById(db: Database, ids: string[]): Promise<Map<string, MessageRow>> {
  const found = new Map<string, MessageRow>();
  for (const slice of slices(ids, IDS_PER_QUERY)) {
    for (const row of await db.message.findMany({ where: { id: { in: slice } } })) found.set(row.id, row);
  }
  return found;
}

/**
 * Strictly before `row` in (timestamp, id) order, written as a range on the timestamp (which an index
 * can walk) minus the ties at its edge, rather than as an OR that makes the database scan.
 */
function earlierThan(row: Pick<MessageRow, "id" | "timestamp">): Prisma.MessageWhereInput {
  return { timestamp: { lte: row.timestamp }, NOT: { timestamp: row.timestamp, id: { gte: row.id } } };
}

/** The same on receipts, whose message's id is `messageId`. */
function receiptEarlierThan(row: Pick<MessageRow, "id" | "timestamp">): Prisma.ReceiptWhereInput {
  return { timestamp: { lte: row.timestamp }, NOT: { timestamp: row.timestamp, messageId: { gte: row.id } } };
}

/** Strictly after `message` in (timestamp, id) order, on receipts; see earlierThan. */
function receiptLaterThan(message: Pick<ChatMessage, "id" | "timestamp">): Prisma.ReceiptWhereInput {
  const timestamp = new Date(message.timestamp);
  return { timestamp: { gte: timestamp }, NOT: { timestamp, messageId: { lte: message.id } } };
}
