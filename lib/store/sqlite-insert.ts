/**
 * The statements the store writes in SQL rather than through Prisma's query builder, and only on
 * SQLite: new messages as one multi-row INSERT, their receipts as multi-row INSERTs, and their conversation rows as
 * one multi-row upsert, in one transaction on the writer's connection (sqlite-writer.ts). Profiling showed createMany
 * costing ~100 µs per row in Prisma's query compiler against ~20 µs for the same rows as one parameterised
 * statement, which made it the largest single cost of sending a message. Values are encoded as Prisma's SQLite
 * adapter stores them (DateTime as ISO 8601 text with `+00:00`, Json as text), so Prisma reads, compares and
 * orders these rows exactly like its own. The portable twin is message-writes.ts.
 */
import type { Message as MessageRow, Receipt as ReceiptRow } from "@prisma/client";
import type { SqliteWriter } from "./sqlite-writer";

/** The Message columns, in the order Prisma's model has them (inserts, and `SELECT` lists of the read paths). */
export const MESSAGE_COLUMNS = [
  "id",
  "sender",
  "destination",
  "message",
  "timestamp",
  "type",
  "metadata",
  "clientId",
  "clientKey",
] as const;

const RECEIPT_COLUMNS = [
  "id",
  "messageId",
  "recipient",
  "conversation",
  "sender",
  "timestamp",
  "deliveredAt",
  "readAt",
  "deliveryClaim",
] as const;

/** 3,000 receipts × 9 columns stays inside the 32,766 bound parameters of one statement. */
const RECEIPTS_PER_STATEMENT = 3_000;

const placeholders = (columns: readonly string[]) => `(${columns.map(() => "?").join(", ")})`;
const columnList = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(", ");

/**
 * A message whose (sender, clientKey) is already stored — a resend racing the first send — is skipped rather
 * than failing the whole batch; RETURNING lists the rows that were inserted, so the store knows which ones were.
 */
const insertMessages = (count: number) =>
  `INSERT INTO "Message" (${columnList(MESSAGE_COLUMNS)}) VALUES ${Array.from({ length: count }, () =>
    placeholders(MESSAGE_COLUMNS),
  ).join(", ")} ON CONFLICT ("sender", "clientKey") DO NOTHING RETURNING "id"`;

/**
 * Receipts of the messages of this batch that were stored: a receipt whose message was skipped as a duplicate
 * (its id is not in the table) is left out, so no receipt ever points at a message that does not exist.
 */
const insertReceipts = (count: number) => `
  INSERT INTO "Receipt" (${columnList(RECEIPT_COLUMNS)})
  SELECT * FROM (VALUES ${Array.from({ length: count }, () => placeholders(RECEIPT_COLUMNS)).join(", ")}) AS "new"
  WHERE EXISTS (SELECT 1 FROM "Message" WHERE "Message"."id" = "new"."column2")`;

/**
 * The conversation rows of the messages of this batch that were stored, read back from the tables in the same
 * transaction (a skipped duplicate is not there): for each person and conversation the newest message — the
 * sender's row of the destination, each recipient's row of the conversation its receipt names — moved to only if
 * it is newer than the one the row points at, as in the portable twin.
 */
const upsertConversations = (count: number) => `
  WITH "stored" AS (
    SELECT "sender", "destination", "timestamp", "id" FROM "Message"
    WHERE "id" IN (${Array.from({ length: count }, () => "?").join(", ")})
  )
  INSERT INTO "Conversation" ("id", "owner", "peer", "lastTimestamp", "lastMessageId")
  SELECT lower(hex(randomblob(16))), "owner", "peer", "timestamp", "id" FROM (
    SELECT "owner", "peer", "timestamp", "id",
      ROW_NUMBER() OVER (PARTITION BY "owner", "peer" ORDER BY "timestamp" DESC, "id" DESC) AS "newest"
    FROM (
      SELECT "sender" AS "owner", "destination" AS "peer", "timestamp", "id" FROM "stored"
      UNION ALL
      SELECT "recipient", "conversation", "Receipt"."timestamp", "messageId" FROM "Receipt"
      WHERE "messageId" IN (SELECT "id" FROM "stored")
    )
  ) WHERE "newest" = 1
  ON CONFLICT ("owner", "peer") DO UPDATE SET "lastTimestamp" = excluded."lastTimestamp", "lastMessageId" = excluded."lastMessageId"
  WHERE excluded."lastTimestamp" > "Conversation"."lastTimestamp"
     OR (excluded."lastTimestamp" = "Conversation"."lastTimestamp" AND excluded."lastMessageId" > "Conversation"."lastMessageId")`;

/**
 * Stores the messages and their receipts and moves their conversations' rows, all or nothing; returns the ids of
 * the messages stored — all of them but those whose sender already has a message under their clientKey.
 */
export function storeMessagesSqlite(writer: SqliteWriter, rows: MessageRow[], receipts: ReceiptRow[]): Set<string> {
  const messageValues = rows.flatMap((row) => [
    row.id,
    row.sender,
    row.destination,
    row.message,
    sqliteDateTime(row.timestamp),
    row.type,
    row.metadata === null ? null : JSON.stringify(row.metadata),
    row.clientId,
    row.clientKey,
  ]);
  const ids = rows.map((row) => row.id);
  return writer.transaction(() => {
    const inserted = writer.statement(insertMessages(rows.length)).all(...messageValues) as { id: string }[];
    for (let i = 0; i < receipts.length; i += RECEIPTS_PER_STATEMENT) {
      const slice = receipts.slice(i, i + RECEIPTS_PER_STATEMENT);
      writer
        .statement(insertReceipts(slice.length))
        .run(
          ...slice.flatMap((receipt) => [
            receipt.id,
            receipt.messageId,
            receipt.recipient,
            receipt.conversation,
            receipt.sender,
            sqliteDateTime(receipt.timestamp),
            receipt.deliveredAt && sqliteDateTime(receipt.deliveredAt),
            receipt.readAt && sqliteDateTime(receipt.readAt),
            receipt.deliveryClaim,
          ]),
        );
    }
    writer.statement(upsertConversations(ids.length)).run(...ids);
    return new Set(inserted.map((row) => row.id));
  });
}

/** The adapter's default `iso8601` format: comparisons in WHERE clauses are text comparisons of this form. */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
