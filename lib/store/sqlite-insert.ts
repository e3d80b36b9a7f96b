/**
 * The one statement the store writes in SQL rather than through Prisma's query builder, and only
 * on SQLite: a multi-row INSERT of new messages. Profiling showed createMany costing ~100 µs per
 * row in Prisma's query compiler against ~20 µs for the same rows as one parameterised statement,
 * which made it the largest single cost of sending a message. Values are encoded as Prisma's
 * SQLite adapter stores them (DateTime as epoch milliseconds, Json as text), so Prisma reads
 * these rows back exactly like its own.
 */
import type { Message as MessageRow } from "@prisma/client";
import type { Database } from "./prisma-client";

const COLUMNS = ["id", "sender", "destination", "message", "timestamp", "type", "metadata", "deliveredAt", "readAt"] as const;
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => "?").join(", ")})`;
const INSERT_INTO = `INSERT INTO "Message" (${COLUMNS.map((column) => `"${column}"`).join(", ")}) VALUES `;

export async function insertMessagesSqlite(db: Database, rows: MessageRow[]): Promise<void> {
  const values = rows.flatMap((row) => [
    row.id,
    row.sender,
    row.destination,
    row.message,
    row.timestamp.getTime(),
    row.type,
    row.metadata === null ? null : JSON.stringify(row.metadata),
    row.deliveredAt?.getTime() ?? null,
    row.readAt?.getTime() ?? null,
  ]);
  await db.$executeRawUnsafe(INSERT_INTO + rows.map(() => ROW_PLACEHOLDERS).join(", "), ...values);
}
