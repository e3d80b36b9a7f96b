/**
 * Marking receipts delivered and read the portable way — Prisma Client calls only, exactly what runs on MongoDB.
 * A delivery claim is a conditional update: it touches only the receipts still undelivered, and stamps them with a
 * random token of this write — unique across instances, unlike a time — so reading the token back finds exactly
 * the receipts this write delivered, even when another instance claims the same backlog at the same millisecond.
 * The SQLite implementation claims with one statement instead (../sqlite/receipt-marks.ts).
 */
import { isGroup } from "../../contract/names";
import type { Database } from "../database";
import type { ReceiptChange } from "../messages";
import { type RetryPolicy, retryOnConflict } from "../retry";
import { IDS_PER_QUERY, slices } from "./slices";

/** A receipt a delivery claim marked: this recipient's copy of this message, whose it is and in which conversation. */
export interface ClaimedReceipt {
  messageId: string;
  recipient: string;
  sender: string;
  conversation: string;
}

/** What a caller is told about a receipt that changed: which message, whose, and whether it is a group's. */
export const receiptChange = (id: string, sender: string, conversation: string): ReceiptChange =>
  isGroup(conversation) ? { id, sender, group: true } : { id, sender };

/**
 * Marks delivered the receipts of these recipients and message ids that are still undelivered, stamped with
 * `token`, and returns exactly those. Every recipient's receipts in one update per slice, not one per recipient: the
 * members of a group acknowledge the same message within a few milliseconds, and a write per member held the store
 * (and the next message) for as many round trips as the group has members.
 */
export async function claimDeliveries(
  db: Database,
  retry: RetryPolicy,
  idsByRecipient: Map<string, Set<string>>,
  at: Date,
  token: string,
): Promise<ClaimedReceipt[]> {
  const claimed: ClaimedReceipt[] = [];
  for (const slice of pairSlices(idsByRecipient, IDS_PER_QUERY)) {
    const clauses = [...slice].map(([recipient, ids]) => ({ recipient, messageId: { in: ids } }));
    await retryOnConflict(
      () =>
        db.receipt.updateMany({
          where: { deliveredAt: null, OR: clauses },
          data: { deliveredAt: at, deliveryClaim: token },
        }),
      retry,
    );
    // The token is this write's alone, so these are exactly the receipts it stamped.
    claimed.push(
      ...(await db.receipt.findMany({
        where: { messageId: { in: [...new Set([...slice.values()].flat())] }, deliveryClaim: token },
        select: { messageId: true, recipient: true, sender: true, conversation: true },
      })),
    );
  }
  return claimed;
}

/**
 * Marks everything `reader` received in one conversation (a peer's name, or a group key) as read, and delivered;
 * returns what changed, with whose each message was.
 */
export async function markConversationRead(
  db: Database,
  retry: RetryPolicy,
  reader: string,
  conversation: string,
  at: Date,
): Promise<ReceiptChange[]> {
  const unread = await db.receipt.findMany({
    where: { recipient: reader, readAt: null, conversation },
    select: { messageId: true, sender: true },
  });
  if (unread.length === 0) return [];
  const ids = unread.map((m) => m.messageId);
  for (const slice of slices(ids, IDS_PER_QUERY)) {
    await retryOnConflict(
      () =>
        db.receipt.updateMany({
          where: { recipient: reader, messageId: { in: slice }, deliveredAt: null },
          data: { deliveredAt: at },
        }),
      retry,
    );
    await retryOnConflict(
      () =>
        db.receipt.updateMany({
          where: { recipient: reader, messageId: { in: slice }, readAt: null },
          data: { readAt: at },
        }),
      retry,
    );
  }
  return unread.map((r) => receiptChange(r.messageId, r.sender, conversation));
}

/**
 * (recipient, ids) pairs cut into slices of at most `size` bound values each (a recipient and each of its ids count
 * one), keeping each recipient's ids together where they fit.
 */
function pairSlices(idsByRecipient: Map<string, Set<string>>, size: number): Map<string, string[]>[] {
  const result: Map<string, string[]>[] = [];
  let current = new Map<string, string[]>();
  let weight = 0;
  for (const [recipient, ids] of idsByRecipient) {
    for (const part of slices([...ids], size - 1)) {
      if (weight + part.length + 1 > size && current.size > 0) {
        result.push(current);
        current = new Map();
        weight = 0;
      }
      current.set(recipient, [...(current.get(recipient) ?? []), ...part]);
      weight += part.length + 1;
    }
  }
  if (current.size > 0) result.push(current);
  return result;
}
