"use client";
import { Fragment, useEffect, useLayoutEffect, useRef } from "react";
import { MembersPanel } from "./MembersPanel";
import { useState } from "react";
import { isGroup } from "@/lib/contract/names";
import { type ChatState, typingIn } from "../client/chat-state";
import { dayKey, dayLabel, lastSeenText } from "../client/format";
import type { ChatActions } from "../client/use-chat";
import { Composer, COMPOSER_ID } from "./Composer";
import { CONVERSATIONS_HEADING_ID } from "./ConversationList";
import { MessageBubble, OutgoingBubble } from "./MessageBubble";

/** How close to the bottom (px) still counts as "reading the latest", so new messages scroll into view. */
const STICK_TO_BOTTOM_PX = 80;

export function ConversationPane({ state, actions }: { state: ChatState; actions: ChatActions }) {
  const peer = state.openPeer;

  // Opening a conversation means writing in it; on a phone the button just pressed is gone, too.
  useEffect(() => {
    if (peer) document.getElementById(COMPOSER_ID)?.focus();
  }, [peer]);

  const back = () => {
    actions.open(null);
    requestAnimationFrame(() => document.getElementById(CONVERSATIONS_HEADING_ID)?.focus());
  };

  return (
    <>
      {peer ? (
        isGroup(peer) ? (
          <GroupHeader state={state} peer={peer} onBack={back} actions={actions} />
        ) : (
          <ConversationHeader state={state} peer={peer} onBack={back} />
        )
      ) : (
        <div className="pane-empty">
          <h2>Pick someone to talk to</h2>
          <p>
            Choose a conversation or a person, or type <kbd>name: message</kbd> below to write to anyone.{" "}
            <kbd>!check</kbd> fetches anything you have not seen yet.
          </p>
        </div>
      )}
      {peer && <MessageList key={peer} state={state} peer={peer} actions={actions} />}
      <Composer
        peer={peer}
        onSubmit={actions.submit}
        onTyping={actions.noteTyping}
        disconnected={state.connection === "offline"}
      />
    </>
  );
}

function ConversationHeader({ state, peer, onBack }: { state: ChatState; peer: string; onBack: () => void }) {
  const user = state.users.get(peer);
  const device = user?.service === "thermometer";
  const presence = state.typing.has(peer)
    ? "typing…"
    : device
      ? "device — try subscribe, range, reboot or help"
      : user?.online
        ? "online"
        : lastSeenText(user?.lastSeen ?? null);
  return (
    <div className="pane-header">
      <button type="button" className="back" onClick={onBack} aria-label="Back to conversations">
        ← Back
      </button>
      <div>
        <h2 className="pane-title">
          {peer}
          {device && <span className="device-tag">device</span>}
        </h2>
        <p className="pane-presence">{presence}</p>
      </div>
    </div>
  );
}

/** A group's header: its name, how many members are online, who is typing, and the members panel. */
function GroupHeader(props: { state: ChatState; peer: string; onBack: () => void; actions: ChatActions }) {
  const { state, peer } = props;
  const [showMembers, setShowMembers] = useState(false);
  const group = state.groups.get(peer);
  const typing = typingIn(state, peer);
  const members = group?.members ?? [];
  const online = members.filter((m) => m.username === state.me || state.users.get(m.username)?.online).length;
  const presence =
    typing.length > 0
      ? `${typing.join(", ")} ${typing.length === 1 ? "is" : "are"} typing…`
      : `${members.length} members, ${online} online`;
  return (
    <div className="pane-header group-header">
      <button type="button" className="back" onClick={props.onBack} aria-label="Back to conversations">
        ← Back
      </button>
      <div>
        <h2 className="pane-title">
          {peer}
          <span className="device-tag">group</span>
        </h2>
        <p className="pane-presence">{presence}</p>
      </div>
      {group && (
        <button
          type="button"
          className="members-toggle"
          aria-expanded={showMembers}
          aria-controls="members-panel"
          onClick={() => setShowMembers(!showMembers)}
        >
          Members
        </button>
      )}
      {group && showMembers && (
        <div id="members-panel">
          <MembersPanel group={group} me={state.me} users={state.users} onChange={props.actions.changeMembers} />
        </div>
      )}
    </div>
  );
}

function MessageList({ state, peer, actions }: { state: ChatState; peer: string; actions: ChatActions }) {
  const thread = state.threads.get(peer);
  const messages = thread?.messages ?? [];
  const group = isGroup(peer);
  const members = state.groups.get(peer)?.members.map((m) => m.username) ?? [];
  const typingHere = group ? typingIn(state, peer) : state.typing.has(peer) ? [peer] : [];
  const outgoing = state.outbox.filter((entry) => entry.destination === peer);
  const scroller = useRef<HTMLDivElement>(null);
  const loadOlderButton = useRef<HTMLButtonElement>(null);
  const previous = useRef({ firstId: "", lastKey: "", scrollHeight: 0, nearBottom: true });

  // Keep the view where the reader is: stay at the bottom for new messages, hold position when older ones are prepended.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const firstId = messages[0]?.id ?? "";
    const lastKey = `${messages[messages.length - 1]?.id ?? ""}/${outgoing.length}`;
    const before = previous.current;
    if (before.firstId && firstId !== before.firstId && lastKey === before.lastKey) {
      element.scrollTop += element.scrollHeight - before.scrollHeight;
    } else if (lastKey !== before.lastKey && before.nearBottom) {
      element.scrollTop = element.scrollHeight;
    }
    previous.current = { firstId, lastKey, scrollHeight: element.scrollHeight, nearBottom: isNearBottom(element) };
  });

  // Scrolling up to the top loads the previous page.
  useEffect(() => {
    const button = loadOlderButton.current;
    if (!button || !scroller.current) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void actions.loadOlder(peer);
      },
      { root: scroller.current },
    );
    observer.observe(button);
    return () => observer.disconnect();
  });

  const onScroll = () => {
    const element = scroller.current;
    if (element) previous.current.nearBottom = isNearBottom(element);
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a <section> would add a landmark per conversation
    <div
      className="message-scroller"
      ref={scroller}
      onScroll={onScroll}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
      tabIndex={0}
      aria-label={`Messages with ${peer}`}
      role="region"
    >
      {thread?.loaded && thread.hasOlder && (
        <button type="button" className="load-older" ref={loadOlderButton} onClick={() => void actions.loadOlder(peer)}>
          {thread.loadingOlder ? "Loading earlier messages…" : "Load earlier messages"}
        </button>
      )}
      {!thread?.loaded && <p className="empty">Loading…</p>}
      {thread?.loaded && messages.length === 0 && outgoing.length === 0 && (
        <p className="empty">No messages yet. Say hello to {peer}!</p>
      )}
      <ol className="messages">
        {messages.map((message, index) => (
          <Fragment key={message.id}>
            {(index === 0 || dayKey(messages[index - 1]!.timestamp) !== dayKey(message.timestamp)) && (
              <li className="day-separator">
                <span>{dayLabel(message.timestamp)}</span>
              </li>
            )}
            <MessageBubble message={message} mine={message.sender === state.me} inGroup={group} members={members} />
          </Fragment>
        ))}
        {outgoing.map((entry) => (
          <OutgoingBubble
            key={entry.clientId}
            entry={entry}
            onRetry={() => actions.retry(entry.clientId)}
            onDiscard={() => actions.discard(entry.clientId)}
          />
        ))}
      </ol>
      {typingHere.length > 0 && (
        <p className="typing-indicator">
          {typingHere.join(", ")} {typingHere.length === 1 ? "is" : "are"} typing<span aria-hidden="true">…</span>
        </p>
      )}
    </div>
  );
}

function isNearBottom(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < STICK_TO_BOTTOM_PX;
}
