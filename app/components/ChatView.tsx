"use client";
/**
 * The signed-in page: sidebar (conversations, people), the open conversation, and the thermometer
 * panel. On a phone the sidebar and the conversation are separate screens; `data-screen` picks one.
 */
import { useEffect } from "react";
import type { ChatState } from "../client/chat-state";
import { useChat } from "../client/use-chat";
import { CheckResults } from "./CheckResults";
import { ConversationList } from "./ConversationList";
import { ConversationPane } from "./ConversationPane";
import { NewGroupDialog } from "./NewGroupDialog";
import { PeopleList } from "./PeopleList";
import { SessionMenu } from "./SessionMenu";
import { ThermometerPanel } from "./ThermometerPanel";

export function ChatView({ me, onSignedOut }: { me: string; onSignedOut: () => void }) {
  const { state, socket, announcement, actions } = useChat(me, onSignedOut);
  const screen = state.openPeer ? "conversation" : "list";
  const unread = [...state.conversations.values()].reduce((total, c) => total + c.unread, 0);

  // The tab title says when something is waiting, like other messengers do.
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) P2P Chat` : "P2P Chat";
    return () => {
      document.title = "P2P Chat";
    };
  }, [unread]);

  return (
    <div className="app" data-screen={screen}>
      <header className="topbar">
        <h1 className="brand">P2P Chat</h1>
        <span className="whoami">
          Signed in as <strong>{me}</strong>
        </span>
        <button type="button" onClick={() => void actions.runCheck()}>
          Check
        </button>
        <button type="button" onClick={() => void actions.logout()}>
          Log out
        </button>
        <SessionMenu onLogoutEverywhere={() => void actions.logoutEverywhere()} />
      </header>

      {state.connection === "offline" && (
        <p className="banner" role="status">
          Connection lost — reconnecting… Messages you send now are kept and go out when it is back.
        </p>
      )}
      <div className="notice" role="status" aria-live="polite">
        {state.notice && (
          <>
            <span className="notice-text">{state.notice.text}</span>
            <button type="button" className="link" onClick={() => actions.notify(null)} aria-label="Dismiss notice">
              ✕
            </button>
          </>
        )}
      </div>
      {state.checkResults && <CheckResults messages={state.checkResults} me={me} onClose={actions.closeCheckResults} />}

      <div className="layout">
        <nav className="sidebar" aria-label="Conversations and people">
          <NewGroupDialog users={state.users} me={me} onCreate={actions.createGroup} />
          <ConversationList state={state} onOpen={actions.open} />
          <PeopleList users={state.users} me={me} openPeer={state.openPeer} onOpen={actions.open} />
        </nav>
        <main className="pane">
          <ConversationPane state={state} actions={actions} />
        </main>
        <ThermometerPanel socket={socket} lastReplies={deviceReplies(state)} sendCommand={actions.sendMessage} />
      </div>

      {/* Screen readers hear incoming messages wherever focus is. */}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </div>
  );
}

/** The latest thing each device said to me, shown under its panel. */
function deviceReplies(state: ChatState): ReadonlyMap<string, string> {
  const replies = new Map<string, string>();
  for (const [peer, { last }] of state.conversations) {
    if (state.users.get(peer)?.service && last.sender === peer) replies.set(peer, last.message);
  }
  return replies;
}
