/**
 * Delivery claims in SQL, on SQLite only: one `UPDATE … RETURNING` on the writer's connection (sqlite-writer.ts)
 * marks the acknowledged receipts still undelivered and names them, where the portable twin (message-store.ts)
 * needs a conditional `updateMany` and a read-back by claim token. Profiling the store showed Prisma compiling
 * those two queries — one OR term per recipient, hundreds of bound values — costing more than the write itself.
 * The (messageId, recipient) pairs probe the unique index one by one; dates are written as Prisma's adapter writes
 * them (sqlite-insert.ts).
 */
import { sqliteDateTime } from "./sqlite-insert";
import type { SqliteWriter } from "./sqlite-writer";

/** A receipt to mark delivered: this recipient's copy of this message. */
export interface AckedReceipt {
  messageId: string;
  recipient: string;
}

/** A receipt the claim marked, with what the store reports about it. */
export interface ClaimedReceipt extends AckedReceipt {
  sender: string;
  conversation: string;
}

/** 2 bound values a pair, well inside the 32,766 of one statement. */
const PAIRS_PER_STATEMENT = 5_000;

const claimStatement = (pairs: number) => `
  UPDATE "Receipt" SET "deliveredAt" = ?, "deliveryClaim" = ?
  WHERE "deliveredAt" IS NULL
    AND ("messageId", "recipient") IN (VALUES ${Array.from({ length: pairs }, () => "(?, ?)").join(", ")})
  RETURNING "messageId", "recipient", "sender", "conversation"`;

/** Marks delivered those of `acked` still undelivered, stamped with `token`; returns exactly those. */
export function claimDeliveriesSqlite(
  writer: SqliteWriter,
  acked: AckedReceipt[],
  at: Date,
  token: string,
): ClaimedReceipt[] {
  return writer.transaction(() => {
    const claimed: ClaimedReceipt[] = [];
    for (let i = 0; i < acked.length; i += PAIRS_PER_STATEMENT) {
      const slice = acked.slice(i, i + PAIRS_PER_STATEMENT);
      const values = slice.flatMap((pair) => [pair.messageId, pair.recipient]);
      claimed.push(
        ...(writer
          .statement(claimStatement(slice.length))
          .all(sqliteDateTime(at), token, ...values) as ClaimedReceipt[]),
      );
    }
    return claimed;
  });
}
