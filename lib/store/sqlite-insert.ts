/**
 * The statements the store writes in SQL rather than through Prisma's query builder, and only on
 * SQLite: new messages as one multi-row INSERT, and their conversation rows as one multi-row
 * upsert, in one transaction. Profiling showed createMany costing ~100 µs per row in Prisma's query
 * compiler against ~20 µs for the same rows as one parameterised statement, which made it the
 * largest single cost of sending a message. Values are encoded as Prisma's SQLite adapter stores
 * them (DateTime as ISO 8601 text with `+00:00`, Json as text), so Prisma reads, compares and
 * orders these rows exactly like its own. The portable twin is message-writes.ts.
 */
import type { Conversation as ConversationRow, Message as MessageRow } from "@prisma/client";
import type { SqliteClient } from "./sqlite-client";

const MESSAGE_COLUMNS = [
  "id",
  "sender",
  "destination",
  "message",
  "timestamp",
  "type",
  "metadata",
  "deliveredAt",
  "readAt",
  "clientId",
  "deliveryClaim",
] as const;
const CONVERSATION_COLUMNS = ["id", "owner", "peer", "lastTimestamp", "lastMessageId"] as const;

const placeholders = (columns: readonly string[]) => `(${columns.map(() => "?").join(", ")})`;
const columnList = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(", ");

const INSERT_MESSAGES = `INSERT INTO "Message" (${columnList(MESSAGE_COLUMNS)}) VALUES `;
/** A conversation row moves only to a newer message, as in the portable twin. */
const UPSERT_CONVERSATIONS_TAIL = `
  ON CONFLICT ("owner", "peer") DO UPDATE SET "lastTimestamp" = excluded."lastTimestamp", "lastMessageId" = excluded."lastMessageId"
  WHERE excluded."lastTimestamp" > "Conversation"."lastTimestamp"
     OR (excluded."lastTimestamp" = "Conversation"."lastTimestamp" AND excluded."lastMessageId" > "Conversation"."lastMessageId")`;

/** Stores the messages and moves their conversations' rows, all or nothing. */
export async function storeMessagesSqlite(
  db: SqliteClient,
  rows: MessageRow[],
  conversations: ConversationRow[],
): Promise<void> {
  const messageValues = rows.flatMap((row) => [
    row.id,
    row.sender,
    row.destination,
    row.message,
    sqliteDateTime(row.timestamp),
    row.type,
    row.metadata === null ? null : JSON.stringify(row.metadata),
    row.deliveredAt && sqliteDateTime(row.deliveredAt),
    row.readAt && sqliteDateTime(row.readAt),
    row.clientId,
    row.deliveryClaim,
  ]);
  const conversationValues = conversations.flatMap((row) => [
    row.id,
    row.owner,
    row.peer,
    sqliteDateTime(row.lastTimestamp),
    row.lastMessageId,
  ]);
  await db.$transaction([
    db.$executeRawUnsafe(INSERT_MESSAGES + rows.map(() => placeholders(MESSAGE_COLUMNS)).join(", "), ...messageValues),
    db.$executeRawUnsafe(
      `INSERT INTO "Conversation" (${columnList(CONVERSATION_COLUMNS)}) VALUES ${conversations
        .map(() => placeholders(CONVERSATION_COLUMNS))
        .join(", ")}${UPSERT_CONVERSATIONS_TAIL}`,
      ...conversationValues,
    ),
  ]);
}

/** The adapter's default `iso8601` format: comparisons in WHERE clauses are text comparisons of this form. */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
