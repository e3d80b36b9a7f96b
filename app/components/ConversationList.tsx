import { compareChronologically } from "@/lib/contract/order";
import { isGroup } from "@/lib/contract/names";
import type { ChatState } from "../client/chat-state";
import { listTime } from "../client/format";

export const CONVERSATIONS_HEADING_ID = "conversations-title";

/** Everyone I have talked to, most recent activity first, with a preview and the unread count. */
export function ConversationList({ state, onOpen }: { state: ChatState; onOpen: (peer: string) => void }) {
  const conversations = [...state.conversations].sort(([, a], [, b]) => compareChronologically(b.last, a.last));

  return (
    <section className="list-section" aria-labelledby={CONVERSATIONS_HEADING_ID}>
      {/* Focusable from script: the phone's Back button lands here. */}
      <h2 id={CONVERSATIONS_HEADING_ID} tabIndex={-1}>
        Conversations
      </h2>
      {conversations.length === 0 ? (
        <p className="empty">No conversations yet. Pick someone below to start one.</p>
      ) : (
        <ul className="conversation-list">
          {conversations.map(([peer, { last, unread }]) => {
            const device = state.users.get(peer)?.service === "thermometer";
            return (
              <li key={peer}>
                <button
                  type="button"
                  className={`conversation${peer === state.openPeer ? " is-open" : ""}${device ? " is-device" : ""}`}
                  aria-current={peer === state.openPeer ? "true" : undefined}
                  data-peer={peer}
                  onClick={() => onOpen(peer)}
                >
                  <span className="conversation-top">
                    <span className="conversation-peer">{peer}</span>
                    {device && <span className="device-tag">device</span>}
                    {isGroup(peer) && <span className="device-tag">group</span>}
                    <time className="conversation-time" dateTime={last.timestamp}>
                      {listTime(last.timestamp)}
                    </time>
                  </span>
                  <span className="conversation-bottom">
                    <span className="conversation-preview">
                      {last.sender === state.me ? "You: " : isGroup(peer) ? `${last.sender}: ` : ""}
                      {last.message}
                    </span>
                    {unread > 0 && (
                      <span className="badge">
                        {unread}
                        <span className="visually-hidden"> unread</span>
                      </span>
                    )}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
