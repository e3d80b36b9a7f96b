/**
 * The rows a new message is stored as, made before anything is written and the same for both implementations: its
 * Message row (id and timestamp made here, message-id.ts) and one Receipt row per recipient.
 */
import { randomUUID } from "node:crypto";
import type { Message as MessageRow, Receipt as ReceiptRow } from "@prisma/client";
import { isGroup } from "../contract/names";
import { newMessageId } from "./message-id";
import type { NewMessage } from "./messages";

export interface NewMessageRows {
  row: MessageRow;
  receipts: ReceiptRow[];
}

export function newMessageRows(input: NewMessage): NewMessageRows {
  const { id, timestamp } = newMessageId();
  const row: MessageRow = {
    id,
    timestamp,
    sender: input.sender,
    destination: input.destination,
    message: input.message,
    type: input.type,
    metadata: (input.metadata ?? null) as MessageRow["metadata"],
    clientId: input.clientId ?? null,
    clientKey: input.clientId ?? id,
  };
  return { row, receipts: receiptsFor(row, input.recipients ?? [input.destination]) };
}

/** The receipt rows of a new message: one per recipient, each keyed by the conversation as that recipient sees it. */
export function receiptsFor(row: MessageRow, recipients: string[]): ReceiptRow[] {
  const conversation = isGroup(row.destination) ? row.destination : row.sender;
  return recipients.map((recipient) => ({
    id: randomUUID(),
    messageId: row.id,
    recipient,
    conversation,
    sender: row.sender,
    timestamp: row.timestamp,
    deliveredAt: null,
    readAt: null,
    deliveryClaim: null,
  }));
}
