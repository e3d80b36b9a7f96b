/**
 * Storing new messages in SQL on the writer's connection (writer.ts): the messages as one multi-row INSERT, their
 * receipts as multi-row INSERTs, and their conversation rows as one multi-row upsert, in one transaction. Profiling
 * showed createMany costing ~100 µs per row in Prisma's query compiler against ~20 µs for the same rows as one
 * parameterised statement, which made it the largest single cost of sending a message. Columns and values come from
 * the tables' codecs (tables.ts), stored as Prisma's adapter stores them. The portable twin is
 * ../portable/message-writes.ts.
 */
import type { Message as MessageRow, Receipt as ReceiptRow } from "@prisma/client";
import { CONVERSATION, MESSAGE, RECEIPT } from "./tables";
import type { SqliteWriter } from "./writer";

/** 3,000 receipts × 9 columns stays inside the 32,766 bound parameters of one statement. */
const RECEIPTS_PER_STATEMENT = 3_000;

const rowsOf = (placeholders: string, count: number) => Array.from({ length: count }, () => placeholders).join(", ");

/**
 * A message whose (sender, clientKey) is already stored — a resend racing the first send — is skipped rather
 * than failing the whole batch; RETURNING lists the rows that were inserted, so the store knows which ones were.
 */
const insertMessages = (count: number) =>
  `INSERT INTO "Message" (${MESSAGE.columnList}) VALUES ${rowsOf(MESSAGE.placeholders, count)}
  ON CONFLICT ("sender", "clientKey") DO NOTHING RETURNING "id"`;

/** Receipts, as one multi-row INSERT. */
const insertReceipts = (count: number) =>
  `INSERT INTO "Receipt" (${RECEIPT.columnList}) VALUES ${rowsOf(RECEIPT.placeholders, count)}`;

/**
 * The conversation rows of the messages of this batch that were stored, read back from the tables in the same
 * transaction (a skipped duplicate is not there): for each person and conversation the newest message — the
 * sender's row of the destination, each recipient's row of the conversation its receipt names — moved to only if
 * it is newer than the one the row points at, as in the portable twin. (`WHERE true`: an upsert's SELECT needs a
 * WHERE, or SQLite would read its ON CONFLICT as a join's ON.)
 */
const upsertConversations = (count: number) => `
  WITH "stored" AS (
    SELECT "sender", "destination", "timestamp", "id" FROM "Message"
    WHERE "id" IN (${Array.from({ length: count }, () => "?").join(", ")})
  )
  INSERT INTO "Conversation" (${CONVERSATION.columnList})
  SELECT ${CONVERSATION.columnList} FROM (
    SELECT lower(hex(randomblob(16))) AS "id", "owner", "peer", "timestamp" AS "lastTimestamp", "id" AS "lastMessageId"
    FROM (
      SELECT "owner", "peer", "timestamp", "id",
        ROW_NUMBER() OVER (PARTITION BY "owner", "peer" ORDER BY "timestamp" DESC, "id" DESC) AS "newest"
      FROM (
        SELECT "sender" AS "owner", "destination" AS "peer", "timestamp", "id" FROM "stored"
        UNION ALL
        SELECT "recipient", "conversation", "Receipt"."timestamp", "messageId" FROM "Receipt"
        WHERE "messageId" IN (SELECT "id" FROM "stored")
      )
    ) WHERE "newest" = 1
  ) WHERE true
  ON CONFLICT ("owner", "peer") DO UPDATE SET
    "lastTimestamp" = excluded."lastTimestamp", "lastMessageId" = excluded."lastMessageId"
  WHERE excluded."lastTimestamp" > "Conversation"."lastTimestamp"
     OR (excluded."lastTimestamp" = "Conversation"."lastTimestamp" AND excluded."lastMessageId" > "Conversation"."lastMessageId")`;

/**
 * Stores the messages and their receipts and moves their conversations' rows, all or nothing; returns the ids of
 * the messages stored — all of them but those whose sender already has a message under their clientKey.
 */
export function storeMessages(writer: SqliteWriter, rows: MessageRow[], receipts: ReceiptRow[]): Set<string> {
  const messageValues = MESSAGE.values(rows);
  const ids = rows.map((row) => row.id);
  return writer.transaction(() => {
    const inserted = writer.statement(insertMessages(rows.length)).all(...messageValues) as { id: string }[];
    const stored = new Set(inserted.map((row) => row.id));
    // The receipts of the messages just inserted: one skipped as a duplicate gets none, so no receipt ever points
    // at a message that is not there.
    const written = receipts.filter((receipt) => stored.has(receipt.messageId));
    for (let i = 0; i < written.length; i += RECEIPTS_PER_STATEMENT) {
      const slice = written.slice(i, i + RECEIPTS_PER_STATEMENT);
      writer.statement(insertReceipts(slice.length)).run(...RECEIPT.values(slice));
    }
    writer.statement(upsertConversations(ids.length)).run(...ids);
    return stored;
  });
}
