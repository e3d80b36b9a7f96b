/**
 * A batch of someone's backlog in SQL, on SQLite only: the receipts still undelivered, oldest first, with their
 * messages, as one prepared statement on the reader's connection (sqlite-reader.ts). The portable twin
 * (MessageStore.undeliveredPortable) makes three Prisma queries a batch, the message lookup in slices of 900 ids,
 * each compiled and prepared afresh; a 10,000-message backlog is twenty batches of them. It returns exactly what the
 * twin returns: the recipient's receipts in (timestamp, messageId) order after the cursor, cut at `limit`, those
 * whose message is stored, each presented with that one receipt by the same toChatMessage.
 */
import type { ChatMessage } from "../contract/payloads";
import { toChatMessage } from "./message-store";
import { groupNamesSqlite, messageRow, type RawMessage, type SqliteReader, sqliteDate } from "./sqlite-reader";
import { MESSAGE_COLUMNS, sqliteDateTime } from "./sqlite-insert";

/**
 * The cut is taken on the receipts alone, walking (recipient, deliveredAt, timestamp, messageId) from the cursor,
 * before the join, as the twin takes `limit` receipts and then looks their messages up. "After" is written as the
 * twin writes it (receiptLaterThan in message-store.ts): a range on the timestamp minus the ties at its edge.
 */
const batch = (cursor: boolean) => `
  SELECT r."recipient" AS "receiptRecipient", r."conversation" AS "receiptConversation",
    r."deliveredAt" AS "receiptDeliveredAt", r."readAt" AS "receiptReadAt",
    ${MESSAGE_COLUMNS.map((column) => `m."${column}"`).join(", ")}
  FROM (
    SELECT "messageId", "recipient", "conversation", "deliveredAt", "readAt", "timestamp" FROM "Receipt"
    WHERE "recipient" = :recipient AND "deliveredAt" IS NULL
      ${cursor ? `AND "timestamp" >= :timestamp AND NOT ("timestamp" = :timestamp AND "messageId" <= :after)` : ""}
    ORDER BY "timestamp", "messageId" LIMIT :limit
  ) AS r JOIN "Message" AS m ON m."id" = r."messageId"
  ORDER BY r."timestamp", r."messageId"`;

type RawBatchRow = RawMessage & {
  receiptRecipient: string;
  receiptConversation: string;
  receiptDeliveredAt: string | null;
  receiptReadAt: string | null;
};

/** Messages still waiting for `recipient`, oldest first, resuming after the message `after`. */
export function undeliveredSqlite(
  reader: SqliteReader,
  recipient: string,
  options: { after?: Pick<ChatMessage, "id" | "timestamp">; limit: number },
): ChatMessage[] {
  const { after, limit } = options;
  return reader.snapshot(() => {
    const rows = (
      after
        ? reader.statement(batch(true)).all({
            recipient,
            limit,
            after: after.id,
            // The cursor's time as the adapter binds a Date, which is how it is stored (sqlite-insert.ts).
            timestamp: sqliteDateTime(new Date(after.timestamp)),
          })
        : reader.statement(batch(false)).all({ recipient, limit })
    ) as RawBatchRow[];
    if (rows.length === 0) return [];
    const names = groupNamesSqlite(
      reader,
      rows.map((row) => row.receiptConversation),
    );
    return rows.map((row) =>
      toChatMessage(
        messageRow(row),
        [
          {
            recipient: row.receiptRecipient,
            deliveredAt: sqliteDate(row.receiptDeliveredAt),
            readAt: sqliteDate(row.receiptReadAt),
          },
        ],
        recipient,
        names,
      ),
    );
  });
}
