import type { ChatMessage } from "@/lib/protocol";
import type { OutgoingMessage } from "../client/chat-state";
import { timeOfDay } from "../client/format";

type Receipt = "sent" | "delivered" | "read";

const RECEIPT_MARKS: Record<Receipt, string> = { sent: "✓", delivered: "✓✓", read: "✓✓" };
const RECEIPT_WORDS: Record<Receipt, string> = { sent: "Sent", delivered: "Delivered", read: "Read" };

function receiptOf(message: ChatMessage): Receipt {
  return message.readAt ? "read" : message.deliveredAt ? "delivered" : "sent";
}

export function MessageBubble({
  message,
  mine,
  showSender = false,
}: {
  message: ChatMessage;
  mine: boolean;
  showSender?: boolean;
}) {
  const receipt = receiptOf(message);
  return (
    <li className={`bubble ${mine ? "mine" : "theirs"} type-${message.type}`} data-id={message.id}>
      {showSender && <span className="bubble-sender">{mine ? `You → ${message.destination}` : message.sender}</span>}
      <p className="bubble-text">{message.message}</p>
      <span className="bubble-meta">
        {message.stored && (
          <span className="stored-mark" title="Delivered from the offline store">
            Stored
          </span>
        )}
        <time dateTime={message.timestamp}>{timeOfDay(message.timestamp)}</time>
        {mine && (
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
            <button type="button" className="link" onClick={onRetry}>
              Retry
            </button>
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
