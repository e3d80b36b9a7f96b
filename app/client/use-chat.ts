"use client";
/**
 * The chat page's connection to the server: one Socket.IO client (the session cookie authenticates
 * it), the HTTP calls, and the actions the components call. Every way of sending (the composer,
 * `name: text`, device buttons) goes through `sendMessage`; `!check` and the Check button share `runCheck`.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { io } from "socket.io-client";
import { INPUT_HELP, parseInput } from "@/lib/contract/commands";
import type { ChatMessage } from "@/lib/contract/payloads";
import type { SendAck } from "@/lib/contract/events";
import { isGroup, offlineNotice } from "@/lib/contract/names";
import { api } from "./api";
import type { ChatClientSocket } from "./socket";
import { TypingSignal } from "./typing-signal";
import { chatReducer, initialChatState, peerOf, typingKey, type OutgoingMessage } from "./chat-state";

export const HISTORY_PAGE_SIZE = 50;
const SEND_ACK_TIMEOUT_MS = 10_000;
/** How long a "typing…" lasts if its "stopped" never arrives. */
const TYPING_EXPIRY_MS = 6_000;

/** Unique enough to match an ack to its message; crypto.randomUUID needs a secure context, LAN hosts may lack one. */
function newClientId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function useChat(me: string, onSignedOut: () => void) {
  const [state, dispatch] = useReducer(chatReducer, me, initialChatState);
  const [socket, setSocket] = useState<ChatClientSocket | null>(null);
  const [announcement, setAnnouncement] = useState("");
  // Socket handlers outlive renders; they read the latest state through this ref.
  const latest = useRef(state);
  latest.current = state;
  const socketRef = useRef<ChatClientSocket | null>(null);
  const sendAttempts = useRef(new Map<string, number>());
  const typingSignal = useRef<TypingSignal | null>(null);
  typingSignal.current ??= new TypingSignal((destination, typing) =>
    socketRef.current?.emit("typing", { destination, typing }),
  );
  const typingExpiry = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const signedOut = useRef(onSignedOut);
  signedOut.current = onSignedOut;

  const notify = useCallback((text: string | null) => dispatch({ type: "notice", text }), []);

  const markRead = useCallback((peer: string) => {
    dispatch({ type: "readByMe", peer, at: new Date().toISOString() });
    const current = socketRef.current;
    // Offline it waits: the reconnect resync marks the open conversation again.
    if (current?.connected) current.timeout(5_000).emit("message:read", { with: peer }, () => undefined);
  }, []);

  const loadNewestPage = useCallback(
    async (peer: string) => {
      try {
        const { messages } = await api.history(peer, { limit: HISTORY_PAGE_SIZE });
        dispatch({ type: "history", peer, messages, older: false, pageSize: HISTORY_PAGE_SIZE });
      } catch (error) {
        notify(`Could not load the conversation with ${peer}: ${errorText(error)}`);
      }
    },
    [notify],
  );

  const loadLists = useCallback(async () => {
    try {
      const [{ users }, { conversations }, { groups }] = await Promise.all([
        api.users(),
        api.conversations(),
        api.groups(),
      ]);
      dispatch({ type: "users", users });
      dispatch({ type: "groups", groups });
      dispatch({ type: "conversations", conversations });
    } catch (error) {
      if ((error as { status?: number }).status === 401) return signedOut.current();
      notify(`Could not load your conversations: ${errorText(error)}`);
    }
  }, [notify]);

  /** Emits one outbox entry; a newer attempt for the same clientId makes older callbacks moot. */
  const emitOutgoing = useCallback(
    (entry: OutgoingMessage) => {
      const current = socketRef.current;
      if (!current?.connected) return;
      const attempt = (sendAttempts.current.get(entry.clientId) ?? 0) + 1;
      sendAttempts.current.set(entry.clientId, attempt);
      dispatch({ type: "outboxState", clientId: entry.clientId, state: "sending" });
      const payload = { destination: entry.destination, message: entry.message, clientId: entry.clientId };
      current.timeout(SEND_ACK_TIMEOUT_MS).emit("message:send", payload, (timedOut: Error | null, ack: SendAck) => {
        if (sendAttempts.current.get(entry.clientId) !== attempt) return;
        if (timedOut) {
          // Disconnected: the reconnect sends it again. Connected but silent: let the person decide.
          if (!current.connected) return dispatch({ type: "outboxState", clientId: entry.clientId, state: "queued" });
          return dispatch({
            type: "outboxState",
            clientId: entry.clientId,
            state: "failed",
            error: "no answer from the server",
          });
        }
        sendAttempts.current.delete(entry.clientId);
        if (!ack.ok) {
          dispatch({ type: "outboxState", clientId: entry.clientId, state: "failed", error: ack.error });
          return notify(ack.error);
        }
        dispatch({ type: "messages", messages: [ack.message] });
        notify(ack.online ? null : offlineNotice(entry.destination));
      });
    },
    [notify],
  );

  const sendMessage = useCallback(
    (destination: string, message: string) => {
      const entry: OutgoingMessage = {
        clientId: newClientId(),
        destination,
        message,
        timestamp: new Date().toISOString(),
        state: "queued",
      };
      dispatch({ type: "outbox", message: entry });
      emitOutgoing(entry); // when disconnected it stays queued and goes out on reconnect
    },
    [emitOutgoing],
  );

  /** Re-sends what a failed send left behind, on demand. */
  const retry = useCallback(
    (clientId: string) => {
      const entry = latest.current.outbox.find((e) => e.clientId === clientId);
      if (entry) emitOutgoing(entry);
    },
    [emitOutgoing],
  );

  const discard = useCallback((clientId: string) => dispatch({ type: "outboxRemove", clientId }), []);

  const receive = useCallback(
    (message: ChatMessage) => {
      dispatch({ type: "messages", messages: [message] });
      if (message.sender === latest.current.me) return;
      const where = isGroup(message.destination) ? ` in ${message.destination}` : "";
      setAnnouncement(
        `${message.stored ? "Stored message" : "New message"} from ${message.sender}${where}: ${message.message}`,
      );
      const peer = peerOf(message, latest.current.me);
      if (peer === latest.current.openPeer) markRead(peer);
    },
    [markRead],
  );

  useEffect(() => {
    // WebSocket first: a closed tab is noticed at once (a long-poll can look alive for a while);
    // long-polling remains the fallback where WebSockets are blocked.
    // A connection attempt that neither opens nor fails (a proxy that accepts the upgrade and then
    // drops it) is abandoned after `timeout` and retried like any other failure.
    const client: ChatClientSocket = io({
      autoConnect: false,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      timeout: 8_000,
    });
    socketRef.current = client;
    setSocket(client);
    let connectedBefore = false;

    client.on("connect", () => {
      dispatch({ type: "connection", connection: "online" });
      if (connectedBefore) {
        // Fill whatever happened while we were away.
        void loadLists();
        const peer = latest.current.openPeer;
        if (peer) void loadNewestPage(peer).then(() => markRead(peer));
      }
      connectedBefore = true;
      for (const entry of latest.current.outbox) if (entry.state !== "failed") emitOutgoing(entry);
    });
    client.on("disconnect", (reason) => {
      dispatch({ type: "connection", connection: "offline" });
      // The client reconnects by itself except when the server ended the session on purpose.
      if (reason === "io server disconnect") setTimeout(() => client.connect(), 1_000);
    });
    client.on("connect_error", (error) => {
      if (error.message === "unauthorized") return signedOut.current();
      dispatch({ type: "connection", connection: "offline" });
      if (client.active) return;
      // Refused by the server, not by the network (too many connections, say): say why, and retry.
      notify(`The server refused the connection: ${error.message}`);
      setTimeout(() => client.connect(), 2_000);
    });
    client.on("warning", (warning) => notify(warning.message));
    client.on("message", (message, ack?: () => void) => {
      // This is what marks the message delivered. A group message comes in a broadcast without an ack: say so instead.
      if (ack) ack();
      else if (isGroup(message.destination) && message.sender !== latest.current.me)
        client.emit("message:received", { ids: [message.id] });
      receive(message);
    });
    client.on("group", ({ group, previousName }) => dispatch({ type: "group", group, previousName }));
    client.on("group:left", ({ name }) => {
      dispatch({ type: "groupLeft", name });
      notify(`You are no longer in #${name}.`);
    });
    client.on("message:status", (event) => dispatch({ type: "status", event, at: new Date().toISOString() }));
    client.on("presence", (events) => dispatch({ type: "presence", events }));
    client.on("typing", ({ username, typing, group }) => {
      const key = typingKey({ username, group });
      dispatch({ type: "typing", username, typing, group });
      clearTimeout(typingExpiry.current.get(key));
      if (typing) {
        typingExpiry.current.set(
          key,
          setTimeout(() => dispatch({ type: "typing", username, typing: false, group }), TYPING_EXPIRY_MS),
        );
      }
    });
    client.connect();
    void loadLists();
    return () => {
      client.removeAllListeners();
      client.disconnect();
      socketRef.current = null;
    };
  }, [emitOutgoing, loadLists, loadNewestPage, markRead, notify, receive]);

  const open = useCallback(
    (peer: string | null) => {
      dispatch({ type: "open", peer });
      if (!peer) return;
      if (!latest.current.threads.get(peer)?.loaded) void loadNewestPage(peer).then(() => markRead(peer));
      else markRead(peer);
    },
    [loadNewestPage, markRead],
  );

  const loadOlder = useCallback(
    async (peer: string) => {
      const thread = latest.current.threads.get(peer);
      if (!thread?.loaded || !thread.hasOlder || thread.loadingOlder) return;
      dispatch({ type: "loadingOlder", peer });
      try {
        const { messages } = await api.history(peer, { before: thread.messages[0]?.id, limit: HISTORY_PAGE_SIZE });
        dispatch({ type: "history", peer, messages, older: true, pageSize: HISTORY_PAGE_SIZE });
      } catch (error) {
        dispatch({ type: "history", peer, messages: [], older: true, pageSize: HISTORY_PAGE_SIZE });
        notify(`Could not load older messages: ${errorText(error)}`);
      }
    },
    [notify],
  );

  const runCheck = useCallback(async () => {
    try {
      // The server answers a page at a time; follow `next` to the end.
      const found: ChatMessage[] = [];
      let after: string | undefined;
      do {
        const page = await api.check(after);
        dispatch({ type: "messages", messages: page.messages });
        found.push(...page.messages);
        after = page.next ?? undefined;
      } while (after);
      dispatch({ type: "checkResults", messages: found });
    } catch (error) {
      notify(`Check failed: ${errorText(error)}`);
    }
  }, [notify]);

  /** Creates a group and opens it; resolves to an error sentence, or null when it worked. */
  const createGroup = useCallback(
    async (name: string, members: string[]): Promise<string | null> => {
      try {
        const { group } = await api.createGroup(name, members);
        dispatch({ type: "group", group });
        open(`#${group.name}`);
        return null;
      } catch (error) {
        return errorText(error);
      }
    },
    [open],
  );

  /** Adds or removes a member (the owner), or leaves (your own name); problems become a notice. */
  const changeMembers = useCallback(
    async (group: string, change: "add" | "remove", username: string) => {
      try {
        if (change === "add") await api.addMember(group, username);
        else await api.removeMember(group, username);
      } catch (error) {
        notify(errorText(error));
      }
    },
    [notify],
  );

  const closeCheckResults = useCallback(() => dispatch({ type: "checkResults", messages: null }), []);

  const stopTyping = useCallback(() => typingSignal.current?.stop(), []);

  /** Called on every keystroke in the composer; tells the open conversation's peer, throttled. */
  const noteTyping = useCallback(() => {
    const peer = latest.current.openPeer;
    if (peer && socketRef.current?.connected) typingSignal.current?.keystroke(peer);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The session may already be gone; either way this tab is signed out.
    }
    socketRef.current?.disconnect();
    signedOut.current();
  }, []);

  /** Ends every session of this person; the server disconnects their sockets everywhere, this one too. */
  const logoutEverywhere = useCallback(async () => {
    // Closed first, so the server ending it is not shown as a lost connection.
    socketRef.current?.disconnect();
    try {
      await api.logoutEverywhere();
    } catch (error) {
      if ((error as { status?: number }).status !== 401) {
        notify(`Could not log out everywhere: ${errorText(error)}`);
        socketRef.current?.connect();
        return;
      }
    }
    signedOut.current();
  }, [notify]);

  /** What the composer does with a line; resolves to whether the composer should be cleared. */
  const submit = useCallback(
    async (raw: string): Promise<boolean> => {
      const input = parseInput(raw);
      switch (input.kind) {
        case "empty":
          return false;
        case "check":
          await runCheck();
          return true;
        case "send":
          stopTyping();
          open(input.destination);
          sendMessage(input.destination, input.message);
          return true;
        case "text": {
          const peer = latest.current.openPeer;
          if (!peer) {
            notify("Pick someone to talk to, or type name: message.");
            return false;
          }
          stopTyping();
          sendMessage(peer, input.message);
          return true;
        }
        case "history":
          open(input.username);
          return true;
        case "who": {
          const online = [...latest.current.users.values()]
            .filter((u) => u.online && u.username !== me)
            .map((u) => u.username);
          notify(online.length ? `Online: ${online.join(", ")}` : "Nobody else is online.");
          return true;
        }
        case "groups": {
          const { groups } = await api.groups();
          notify(
            groups.length ? `Your groups: ${groups.map((g) => `#${g.name}`).join(", ")}` : "You are in no groups.",
          );
          return true;
        }
        case "group":
          try {
            if (input.action === "create") await api.createGroup(input.name, input.usernames);
            else if (input.action === "add") await api.addMember(input.name, input.usernames[0]!);
            else await api.removeMember(input.name, input.action === "leave" ? me : input.usernames[0]!);
            return true;
          } catch (error) {
            notify(errorText(error));
            return false;
          }
        case "help":
          notify(INPUT_HELP);
          return true;
        case "exit":
          notify("To leave, use the Log out button.");
          return true;
        case "logoutEverywhere":
          await logoutEverywhere();
          return true;
        case "error":
          notify(input.error);
          return false;
      }
    },
    [logoutEverywhere, me, notify, open, runCheck, sendMessage, stopTyping],
  );

  return {
    state,
    socket,
    announcement,
    actions: {
      open,
      loadOlder,
      sendMessage,
      submit,
      runCheck,
      closeCheckResults,
      noteTyping,
      logout,
      logoutEverywhere,
      notify,
      retry,
      discard,
      createGroup,
      changeMembers,
    },
  };
}

export type ChatActions = ReturnType<typeof useChat>["actions"];
