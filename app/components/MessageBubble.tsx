import type { ChatMessage, MessageReceipts } from "@/lib/contract/payloads";
import type { OutgoingMessage } from "../client/chat-state";
import { timeOfDay } from "../client/format";

type Receipt = "sent" | "delivered" | "read";

const RECEIPT_MARKS: Record<Receipt, string> = { sent: "✓", delivered: "✓✓", read: "✓✓" };
const RECEIPT_WORDS: Record<Receipt, string> = { sent: "Sent", delivered: "Delivered", read: "Read" };

function receiptOf(message: ChatMessage): Receipt {
  return message.readAt ? "read" : message.deliveredAt ? "delivered" : "sent";
}

/** "Delivered to 2 of 3 · read by alice, bob" for a group message I sent. */
function groupReceiptText(receipts: MessageReceipts): string {
  const delivered = `Delivered to ${receipts.deliveredTo.length} of ${receipts.recipients}`;
  return receipts.readBy.length > 0 ? `${delivered} · read by ${receipts.readBy.join(", ")}` : delivered;
}

export function MessageBubble({
  message,
  mine,
  showSender = false,
  inGroup = false,
  members = [],
}: {
  message: ChatMessage;
  mine: boolean;
  showSender?: boolean;
  /** In a group's thread: the sender's name on others' bubbles, per-member receipts on mine. */
  inGroup?: boolean;
  /** The group's members now, for the receipt details. */
  members?: string[];
}) {
  const receipt = receiptOf(message);
  const receipts = inGroup && mine ? message.receipts : undefined;
  return (
    <li className={`bubble ${mine ? "mine" : "theirs"} type-${message.type}`} data-id={message.id}>
      {showSender && <span className="bubble-sender">{mine ? `You → ${message.destination}` : message.sender}</span>}
      {inGroup && !mine && <span className="bubble-sender">{message.sender}</span>}
      <p className="bubble-text">{message.message}</p>
      <span className="bubble-meta">
        {message.stored && (
          <span className="stored-mark" title="Delivered from the offline store">
            Stored
          </span>
        )}
        <time dateTime={message.timestamp}>{timeOfDay(message.timestamp)}</time>
        {receipts && (
          <details className="group-receipts">
            <summary>{groupReceiptText(receipts)}</summary>
            <ul>
              {[...new Set([...members.filter((m) => m !== message.sender), ...receipts.deliveredTo])].map((name) => (
                <li key={name}>
                  {name}:{" "}
                  {receipts.readBy.includes(name)
                    ? "read"
                    : receipts.deliveredTo.includes(name)
                      ? "delivered"
                      : "not yet"}
                </li>
              ))}
            </ul>
          </details>
        )}
        {mine && !receipts && !inGroup && (
          <span className="receipt" data-receipt={receipt} title={RECEIPT_WORDS[receipt]}>
            <span aria-hidden="true">{RECEIPT_MARKS[receipt]}</span>
            <span className="visually-hidden">{RECEIPT_WORDS[receipt]}</span>
          </span>
        )}
      </span>
    </li>
  );
}

/** A message typed here that the server has not confirmed yet. */
export function OutgoingBubble({
  entry,
  onRetry,
  onDiscard,
}: {
  entry: OutgoingMessage;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  return (
    <li className={`bubble mine outgoing is-${entry.state}`} data-client-id={entry.clientId}>
      <p className="bubble-text">{entry.message}</p>
      <span className="bubble-meta">
        {entry.state === "failed" ? (
          <>
            <span className="bubble-error">Not sent: {entry.error}</span>
            {entry.retryable && (
              <button type="button" className="link" onClick={onRetry}>
                Retry
              </button>
            )}
            <button type="button" className="link" onClick={onDiscard}>
              Discard
            </button>
          </>
        ) : (
          <span className="pending-mark">{entry.state === "queued" ? "Waiting for connection…" : "Sending…"}</span>
        )}
      </span>
    </li>
  );
}
