/**
 * Delivery claims in SQL: one `UPDATE … RETURNING` on the writer's connection (writer.ts) marks the acknowledged
 * receipts still undelivered and names them, where the portable twin (../portable/receipt-marks.ts) needs a
 * conditional `updateMany` and a read-back by claim token. Profiling the store showed Prisma compiling those two
 * queries — one OR term per recipient, hundreds of bound values — costing more than the write itself. The
 * (messageId, recipient) pairs probe the unique index one by one.
 */
import type { ClaimedReceipt } from "../portable/receipt-marks";
import { RECEIPT } from "./tables";
import type { SqliteWriter } from "./writer";

/** 2 bound values a pair, well inside the 32,766 of one statement. */
const PAIRS_PER_STATEMENT = 5_000;

const CLAIMED = RECEIPT.pick("messageId", "recipient", "sender", "conversation");

const claimStatement = (pairs: number) => `
  UPDATE "Receipt" SET "deliveredAt" = ?, "deliveryClaim" = ?
  WHERE "deliveredAt" IS NULL
    AND ("messageId", "recipient") IN (VALUES ${Array.from({ length: pairs }, () => "(?, ?)").join(", ")})
  RETURNING ${CLAIMED.select()}`;

/** Marks delivered those of these receipts still undelivered, stamped with `token`; returns exactly those. */
export function claimDeliveries(
  writer: SqliteWriter,
  idsByRecipient: Map<string, Set<string>>,
  at: Date,
  token: string,
): ClaimedReceipt[] {
  const pairs = [...idsByRecipient].flatMap(([recipient, ids]) => [...ids].map((messageId) => [messageId, recipient]));
  const deliveredAt = RECEIPT.encode("deliveredAt", at);
  return writer.transaction(() => {
    const claimed: ClaimedReceipt[] = [];
    for (let i = 0; i < pairs.length; i += PAIRS_PER_STATEMENT) {
      const slice = pairs.slice(i, i + PAIRS_PER_STATEMENT);
      const rows = writer.statement(claimStatement(slice.length)).all(deliveredAt, token, ...slice.flat());
      for (const row of rows) claimed.push(CLAIMED.decode(row));
    }
    return claimed;
  });
}
