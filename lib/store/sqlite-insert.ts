/**
 * The one statement the store writes in SQL rather than through Prisma's query builder, and only
 * on SQLite: a multi-row INSERT of new messages. Profiling showed createMany costing ~100 µs per
 * row in Prisma's query compiler against ~20 µs for the same rows as one parameterised statement,
 * which made it the largest single cost of sending a message. Values are encoded as Prisma's
 * SQLite adapter stores them (DateTime as ISO 8601 text with `+00:00`, Json as text), so Prisma
 * reads, compares and orders these rows exactly like its own.
 */
import type { Message as MessageRow } from "@prisma/client";
import type { Database } from "./prisma-client";

const COLUMNS = [
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
] as const;
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => "?").join(", ")})`;
const INSERT_INTO = `INSERT INTO "Message" (${COLUMNS.map((column) => `"${column}"`).join(", ")}) VALUES `;

export async function insertMessagesSqlite(db: Database, rows: MessageRow[]): Promise<void> {
  const values = rows.flatMap((row) => [
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
  ]);
  await db.$executeRawUnsafe(INSERT_INTO + rows.map(() => ROW_PLACEHOLDERS).join(", "), ...values);
}

/** The adapter's default `iso8601` format: comparisons in WHERE clauses are text comparisons of this form. */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
