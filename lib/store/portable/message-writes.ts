/**
 * Storing new messages the portable way — Prisma Client calls only, exactly what runs on MongoDB —
 * together with the conversation rows that point at each conversation's newest message (what the
 * conversation list reads instead of every message), and their receipts. The SQLite implementation
 * (../sqlite/message-writes.ts) does the same in one transaction of SQL statements; the store suite runs on both and a
 * test compares what they store.
 */
import { randomUUID } from "node:crypto";
import type {
  Conversation as ConversationRow,
  Message as MessageRow,
  Prisma,
  Receipt as ReceiptRow,
} from "@prisma/client";
import { compareChronologically } from "../../contract/order";
import type { Database } from "../database";
import { isUniqueViolation, type RetryPolicy, retryOnConflict } from "../retry";

/** How many conversation rows are moved at once: enough to keep a connection pool busy, not a flood. */
const CONVERSATIONS_IN_FLIGHT = 16;

/**
 * Writes every field, nulls included. MongoDB's `deliveredAt: null` filter matches only a stored
 * null, not a missing field, so a message written without its nulls would never be delivered. The
 * one exception is `metadata`: a JSON null needs the connector's own `Prisma.DbNull` (the MongoDB
 * client carries its own copy of Prisma's runtime), and no query filters on it, so it is left out.
 */
export function messageCreateData(row: MessageRow): Prisma.MessageCreateManyInput {
  const { metadata, ...rest } = row;
  return metadata === null ? rest : { ...rest, metadata: metadata as Prisma.InputJsonValue };
}

/**
 * Inserts the messages and returns the ids of those stored: all of them, but those whose sender already has a
 * message under their clientKey (a resend racing the first send), which the unique index refuses (P2002). A
 * batch meeting such a duplicate is written again message by message, so the duplicate fails alone. A message
 * that a partly applied batch did store is refused as a duplicate of itself; the store reads it back as its own.
 */
export async function insertMessages(db: Database, rows: MessageRow[], retry: RetryPolicy): Promise<Set<string>> {
  try {
    await retryOnConflict(() => db.message.createMany({ data: rows.map(messageCreateData) }), retry);
    return new Set(rows.map((row) => row.id));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  if (rows.length === 1) return new Set();
  const stored = new Set<string>();
  for (const row of rows) {
    try {
      await retryOnConflict(() => db.message.create({ data: messageCreateData(row) }), retry);
      stored.add(row.id);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return stored;
}

/** Receipt rows for messages just stored, in slices (MongoDB has no transaction here: see PortableMessageStore). */
export async function insertReceipts(db: Database, receipts: ReceiptRow[], retry: RetryPolicy): Promise<void> {
  for (let i = 0; i < receipts.length; i += RECEIPTS_PER_WRITE) {
    const slice = receipts.slice(i, i + RECEIPTS_PER_WRITE);
    await retryOnConflict(() => db.receipt.createMany({ data: slice }), retry);
  }
}

/** Receipts per createMany: Prisma splits it for SQLite's parameter limit, MongoDB takes it as one insert. */
const RECEIPTS_PER_WRITE = 1_000;

/**
 * For each person and conversation in these messages, the newest message in it as the conversation row that
 * should point at it unless it already points at a newer one: the sender's row of their destination, and each
 * recipient's row of the conversation their receipt names (the sender for a direct message, the group's key for
 * a group). The ids are only used for rows created now.
 */
export function newestPerConversation(
  rows: MessageRow[],
  receipts: Pick<ReceiptRow, "messageId" | "recipient" | "conversation">[],
): ConversationRow[] {
  const newest = new Map<string, { owner: string; peer: string; row: MessageRow }>();
  const consider = (owner: string, peer: string, row: MessageRow) => {
    const key = `${owner}\u0000${peer}`; // NUL appears in no username
    const known = newest.get(key);
    if (!known || compareChronologically(known.row, row) < 0) newest.set(key, { owner, peer, row });
  };
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of rows) consider(row.sender, row.destination, row);
  for (const receipt of receipts) {
    const row = byId.get(receipt.messageId);
    if (row) consider(receipt.recipient, receipt.conversation, row);
  }
  return [...newest.values()].map(({ owner, peer, row }) => ({
    id: randomUUID(),
    owner,
    peer,
    lastTimestamp: row.timestamp,
    lastMessageId: row.id,
  }));
}

/** Moves each conversation row to its new newest message, creating the rows of new conversations. */
export async function advanceConversations(
  db: Database,
  pointers: ConversationRow[],
  retry: RetryPolicy,
): Promise<void> {
  for (let i = 0; i < pointers.length; i += CONVERSATIONS_IN_FLIGHT) {
    await Promise.all(pointers.slice(i, i + CONVERSATIONS_IN_FLIGHT).map((pointer) => advance(db, pointer, retry)));
  }
}

/**
 * A conditional update (only to a newer message, so writes racing on two instances end on the
 * newest whatever their order), then a create if the row does not exist yet. A create refused as a
 * duplicate means another write created the row meanwhile: the conditional update then decides.
 */
async function advance(db: Database, pointer: ConversationRow, retry: RetryPolicy): Promise<void> {
  const { owner, peer, lastTimestamp, lastMessageId } = pointer;
  const moveIfNewer = () =>
    retryOnConflict(
      () =>
        db.conversation.updateMany({
          where: {
            owner,
            peer,
            OR: [{ lastTimestamp: { lt: lastTimestamp } }, { lastTimestamp, lastMessageId: { lt: lastMessageId } }],
          },
          data: { lastTimestamp, lastMessageId },
        }),
      retry,
    );
  if ((await moveIfNewer()).count > 0) return;
  try {
    await retryOnConflict(() => db.conversation.create({ data: pointer }), retry);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await moveIfNewer();
  }
}

/** Messages read per step when rebuilding: by id, the order every database walks without sorting. */
const REBUILD_PAGE = 500;

/**
 * Builds the conversation rows from the messages already stored, for a database whose messages
 * predate them (a MongoDB database from before this version; SQLite's migration does the same in
 * SQL). Safe to run on a live database, and again: rows only ever move to a newer message.
 */
export async function rebuildConversations(db: Database, retry: RetryPolicy): Promise<number> {
  let after: string | undefined;
  let messages = 0;
  for (;;) {
    const page = await db.message.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: "asc" },
      take: REBUILD_PAGE,
    });
    if (page.length === 0) return messages;
    const receipts = await db.receipt.findMany({
      where: { messageId: { in: page.map((row) => row.id) } },
      select: { messageId: true, recipient: true, conversation: true },
    });
    await advanceConversations(db, newestPerConversation(page, receipts), retry);
    messages += page.length;
    after = page[page.length - 1]!.id;
  }
}
