/**
 * One page of a conversation in SQL, on SQLite only: the cursor check, the page and the receipts of its messages as
 * three prepared statements on the reader's connection (sqlite-reader.ts), where the portable twin
 * (MessageStore.conversationPortable) makes five to six Prisma queries, each compiled and prepared afresh. It
 * returns exactly what the twin returns: the same two index range scans — what the viewer sent to the conversation,
 * what they received in it — each cut at `limit`, merged newest first in (timestamp, id) order and cut again, then
 * presented oldest first by the same toChatMessage, with every receipt of each message.
 */
import type { Receipt as ReceiptRow } from "@prisma/client";
import type { ChatMessage } from "../contract/payloads";
import { type Page, toChatMessage } from "./message-store";
import { groupNamesSqlite, messageRow, type RawMessage, type SqliteReader, sqliteDate } from "./sqlite-reader";
import { MESSAGE_COLUMNS, sqliteDateTime } from "./sqlite-insert";

/** The cursor message, and the conversation the viewer received it in (none: they have no receipt for it). */
const CURSOR = `
  SELECT m."sender", m."destination", m."timestamp", r."conversation" AS "receivedIn"
  FROM "Message" AS m LEFT JOIN "Receipt" AS r ON r."messageId" = m."id" AND r."recipient" = :viewer
  WHERE m."id" = :before`;

/**
 * Strictly before the cursor in (timestamp, id) order, written as the portable twin writes it (earlierThan in
 * message-store.ts): a range on the timestamp that the index walks, minus the ties at its edge.
 */
const earlier = (id: string) => `AND "timestamp" <= :timestamp AND NOT ("timestamp" = :timestamp AND ${id} >= :before)`;

/**
 * The page's ids, newest first. Each side is its own subquery with its own LIMIT, walking its covering index
 * backwards (Message: sender, destination, timestamp, id; Receipt: recipient, conversation, timestamp, messageId);
 * a received message is ordered by its Message row, as the twin orders the rows it read by id, and a receipt whose
 * message is not there drops out after the cut, as there. UNION ALL keeps a message that is on both sides twice, as
 * the twin's concatenation does.
 */
const page = (cursor: boolean) => `
  WITH "page" AS (
    SELECT "id", "timestamp" FROM (
      SELECT "id", "timestamp" FROM "Message"
      WHERE "sender" = :viewer AND "destination" = :conversation ${cursor ? earlier(`"id"`) : ""}
      ORDER BY "timestamp" DESC, "id" DESC LIMIT :limit
    )
    UNION ALL
    SELECT "id", "timestamp" FROM (
      SELECT m."id", m."timestamp" FROM (
        SELECT "messageId" FROM "Receipt"
        WHERE "recipient" = :viewer AND "conversation" = :conversation ${cursor ? earlier(`"messageId"`) : ""}
        ORDER BY "timestamp" DESC, "messageId" DESC LIMIT :limit
      ) AS r JOIN "Message" AS m ON m."id" = r."messageId"
    )
    ORDER BY "timestamp" DESC, "id" DESC LIMIT :limit
  )
  SELECT ${MESSAGE_COLUMNS.map((column) => `m."${column}"`).join(", ")}
  FROM "page" JOIN "Message" AS m ON m."id" = "page"."id"
  ORDER BY "page"."timestamp", "page"."id"`;

/** Every receipt of the page's messages (the ids as one JSON array): the marks, and a group's summary for its sender. */
const RECEIPTS = `
  SELECT "messageId", "recipient", "deliveredAt", "readAt" FROM "Receipt"
  WHERE "messageId" IN (SELECT "value" FROM json_each(?))`;

type RawReceipt = { messageId: string; recipient: string; deliveredAt: string | null; readAt: string | null };
type Marks = Pick<ReceiptRow, "recipient" | "deliveredAt" | "readAt">;

/**
 * One page of `conversation` as `viewer` sees it, oldest first, ending before the message `page.before`; undefined
 * when that is not a message the viewer sent to or received in this conversation.
 */
export function conversationPageSqlite(
  reader: SqliteReader,
  viewer: string,
  conversation: string,
  { before, limit }: Page,
): ChatMessage[] | undefined {
  return reader.snapshot(() => {
    let timestamp: string | undefined;
    // Truthiness, as the twin tests it: an empty cursor is no cursor.
    if (before) {
      const cursor = reader.statement(CURSOR).get({ viewer, before }) as
        | { sender: string; destination: string; timestamp: string | number; receivedIn: string | null }
        | undefined;
      if (!cursor) return undefined;
      // As MessageStore.isIn: the viewer's own message counts where they sent it, anyone else's where they received it.
      const isIn = cursor.sender === viewer ? cursor.destination === conversation : cursor.receivedIn === conversation;
      if (!isIn) return undefined;
      // Bound as the adapter binds the Date the twin read back, so both compare against the same text.
      timestamp = sqliteDateTime(sqliteDate(cursor.timestamp));
    }
    const rows = (
      (timestamp !== undefined
        ? reader.statement(page(true)).all({ viewer, conversation, limit, before, timestamp })
        : reader.statement(page(false)).all({ viewer, conversation, limit })) as RawMessage[]
    ).map(messageRow);
    if (rows.length === 0) return [];
    const receipts = new Map<string, Marks[]>();
    const raw = reader.statement(RECEIPTS).all(JSON.stringify(rows.map((row) => row.id))) as RawReceipt[];
    for (const receipt of raw) {
      const list = receipts.get(receipt.messageId) ?? [];
      list.push({
        recipient: receipt.recipient,
        deliveredAt: sqliteDate(receipt.deliveredAt),
        readAt: sqliteDate(receipt.readAt),
      });
      receipts.set(receipt.messageId, list);
    }
    const names = groupNamesSqlite(
      reader,
      rows.map((row) => row.destination),
    );
    return rows.map((row) => toChatMessage(row, receipts.get(row.id) ?? [], viewer, names));
  });
}
