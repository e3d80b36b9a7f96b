/**
 * Messages stored on MongoDB before receipts existed carry their delivery and read marks on themselves. After
 * `prisma db push` (which creates the Receipt collection's unique (messageId, recipient) index), `npm run
 * db:mongodb:push` gives each such message the receipt of its one recipient with those marks — one aggregation that
 * MongoDB runs on its own side, merged on that unique index so that running it again changes nothing and a receipt
 * the new version already wrote is kept. The old fields stay on the messages (Prisma ignores them), so going back a
 * version loses nothing. The conversation rows need nothing: a direct message's rows are the same as before.
 */
import type { MongoCommands } from "./mongodb-client";

/** Every message that has no receipt yet gets one, keyed by a stable id so a second run finds it. */
export const BACKFILL_RECEIPTS = {
  aggregate: "Message",
  pipeline: [
    // Only messages from before receipts: they have the old deliveredAt field (a stored null counts).
    { $match: { deliveredAt: { $exists: true } } },
    {
      $project: {
        _id: { $concat: ["$_id", ":", "$destination"] },
        messageId: "$_id",
        recipient: "$destination",
        conversation: "$sender",
        sender: "$sender",
        timestamp: "$timestamp",
        deliveredAt: { $ifNull: ["$deliveredAt", null] },
        readAt: { $ifNull: ["$readAt", null] },
        deliveryClaim: { $ifNull: ["$deliveryClaim", null] },
      },
    },
    {
      $merge: {
        into: "Receipt",
        on: ["messageId", "recipient"],
        whenMatched: "keepExisting",
        whenNotMatched: "insert",
      },
    },
  ],
  cursor: {},
};

/** Writes the receipts of messages from before receipts existed (idempotent). */
export async function backfillReceipts(db: MongoCommands): Promise<void> {
  await db.$runCommandRaw(BACKFILL_RECEIPTS);
}
