"use client";
/**
 * Messages in and out of the page through the client core (lib/client): a message the core hands over goes into
 * the state (the core acknowledges it once it is there), and what the person writes goes into the core's outbox,
 * whose every change the state mirrors (queued, sending, failed, then the stored message in its place).
 */
import { useCallback, useState } from "react";
import { type OutboxChange, type OutboxEntry, wasRefused } from "@/lib/client/outbox";
import { isGroup, offlineNotice } from "@/lib/contract/names";
import type { ChatMessage } from "@/lib/contract/payloads";
import type { ChatPage } from "./chat-page";
import { type OutgoingMessage, peerOf } from "./chat-state";

/** The page's copy of an outbox entry that is not stored yet. */
function outgoing(entry: OutboxEntry, state: OutgoingMessage["state"]): OutgoingMessage {
  const { clientId, destination, message, timestamp, failure } = entry;
  return { clientId, destination, message, timestamp, state, error: failure?.error, retryable: failure?.retryable };
}

export function useMessages(page: ChatPage, markRead: (peer: string) => void) {
  const { dispatch, latest, notify } = page;
  const [announcement, setAnnouncement] = useState("");

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
    [dispatch, latest, markRead],
  );

  const outboxChanged = useCallback(
    (change: OutboxChange) => {
      const { entry } = change;
      switch (change.kind) {
        case "added":
          return dispatch({ type: "outbox", message: outgoing(entry, "queued") });
        case "state": {
          const { state, error, retryable } = outgoing(change.entry, change.entry.state);
          dispatch({ type: "outboxState", clientId: entry.clientId, state, error, retryable });
          if (entry.failure && wasRefused(entry.failure)) notify(entry.failure.error);
          return;
        }
        case "sent":
          // The stored message takes the entry's place (the state matches them by clientId).
          dispatch({ type: "messages", messages: [change.message] });
          return notify(change.online ? null : offlineNotice(entry.destination));
        case "discarded":
          return dispatch({ type: "outboxRemove", clientId: entry.clientId });
      }
    },
    [dispatch, notify],
  );

  /** Every way of sending (the composer, `name: text`, device buttons) comes here; offline it waits in the outbox. */
  const sendMessage = useCallback(
    (destination: string, message: string) => void page.client.current?.outbox.send(destination, message),
    [page],
  );

  /** Sends a failed message again, when its failure allows. */
  const retry = useCallback((clientId: string) => void page.client.current?.outbox.retry(clientId), [page]);

  const discard = useCallback((clientId: string) => page.client.current?.outbox.discard(clientId), [page]);

  return { announcement, receive, outboxChanged, sendMessage, retry, discard };
}
