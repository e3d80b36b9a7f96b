import type { ChatMessage } from "@/lib/contract/payloads";
import { MessageBubble } from "./MessageBubble";

/** What the last `!check` (or the Check button) found. */
export function CheckResults({ messages, me, onClose }: { messages: ChatMessage[]; me: string; onClose: () => void }) {
  return (
    <section className="check-results" aria-label="Check results">
      <div className="check-header">
        <h2>Check results</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {messages.length === 0 ? (
        <p className="empty">No unseen messages.</p>
      ) : (
        <ol className="messages">
          {messages.map((message) => (
            <MessageBubble key={message.id} message={message} mine={message.sender === me} showSender />
          ))}
        </ol>
      )}
    </section>
  );
}
