/**
 * The SQLite fast path of claiming deliveries: one conditional UPDATE … RETURNING marks the messages that are still
 * undelivered and says which they were, atomically, so two processes draining the same backlog each learn exactly
 * the rows they claimed. Its portable twin (one conditional update per message) is in message-store.ts.
 */
import type { Database } from "./prisma-client";
import { sqliteDateTime } from "./sqlite-insert";

export interface ClaimedRow {
  id: string;
  sender: string;
  destination: string;
}

export function claimUndeliveredSqlite(db: Database, ids: string[], at: Date): Promise<ClaimedRow[]> {
  const placeholders = ids.map(() => "?").join(", ");
  return db.$queryRawUnsafe<ClaimedRow[]>(
    `UPDATE "Message" SET "deliveredAt" = ? WHERE "deliveredAt" IS NULL AND "id" IN (${placeholders}) ` +
      `RETURNING "id", "sender", "destination"`,
    sqliteDateTime(at),
    ...ids,
  );
}
