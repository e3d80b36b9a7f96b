/**
 * A stored message as the wire carries it (JSON, as `ChatMessage`), presented the same way by both implementations
 * whichever way they read the rows.
 */
import type { Message as MessageRow, Receipt as ReceiptRow } from "@prisma/client";
import { isGroup } from "../contract/names";
import type { ChatMessage, MessageReceipts, MessageType } from "../contract/payloads";

/** What a message shows of one receipt: whose it is, and its marks. */
export type ReceiptMarks = Pick<ReceiptRow, "recipient" | "deliveredAt" | "readAt">;

/**
 * A message row as JSON, as `viewer` sees it. `names` turns a group key into `#<name>`. A direct message carries
 * its one receipt's marks; a group message carries the viewer's own receipt's marks, and for its sender a summary of
 * every member's (`receipts`).
 */
export function toChatMessage(
  row: MessageRow,
  receipts: ReceiptMarks[] = [],
  viewer?: string,
  names?: Map<string, string>,
): ChatMessage {
  const group = isGroup(row.destination);
  const own = group ? receipts.find((receipt) => receipt.recipient === viewer) : receipts[0];
  const message: ChatMessage = {
    id: row.id,
    sender: row.sender,
    destination: group ? (names?.get(row.destination) ?? row.destination) : row.destination,
    message: row.message,
    timestamp: row.timestamp.toISOString(),
    type: row.type as MessageType,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    deliveredAt: own?.deliveredAt?.toISOString() ?? null,
    readAt: own?.readAt?.toISOString() ?? null,
    ...(row.clientId ? { clientId: row.clientId } : {}),
  };
  if (group && viewer === row.sender) message.receipts = summarize(receipts);
  return message;
}

function summarize(receipts: ReceiptMarks[]): MessageReceipts {
  const names = (pick: (r: ReceiptMarks) => Date | null) =>
    receipts
      .filter((r) => pick(r) !== null)
      .map((r) => r.recipient)
      .sort();
  return { recipients: receipts.length, deliveredTo: names((r) => r.deliveredAt), readBy: names((r) => r.readAt) };
}
