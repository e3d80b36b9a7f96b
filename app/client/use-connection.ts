"use client";
/**
 * The page's connection: one Socket.IO client (the session cookie authenticates it), handed to the client core
 * (lib/client), which sends and resends, takes messages in under the ack rule and reads refusals by their code.
 * This hook opens it for as long as the page is signed in and wires what the core and the socket report to the
 * page's state and handlers.
 */
import { useEffect, useRef, useState } from "react";
import { io } from "socket.io-client";
import { ChatClient } from "@/lib/client/chat-client";
import type { OutboxChange } from "@/lib/client/outbox";
import type { Refusal } from "@/lib/contract/codes";
import type { ChatMessage, GroupEvent, GroupLeftEvent, TypingEvent } from "@/lib/contract/payloads";
import type { ChatPage } from "./chat-page";
import type { ChatClientSocket } from "./socket";

/** After the server closed the connection on purpose, how long before asking again. */
const SERVER_DISCONNECT_RETRY_MS = 1_000;

export interface ConnectionHandlers {
  /** A message for this page, into its state; the core acknowledges it once this returns. */
  received(message: ChatMessage): void;
  outboxChanged(change: OutboxChange): void;
  /** Back after a lost connection: fill in what happened meanwhile. */
  reconnected(): void;
  typing(event: TypingEvent): void;
  group(event: GroupEvent): void;
  groupLeft(event: GroupLeftEvent): void;
}

/** Resolves to the socket once it is open (the thermometer panel listens to it too). */
export function useConnection(page: ChatPage, handlers: ConnectionHandlers): ChatClientSocket | null {
  const [socket, setSocket] = useState<ChatClientSocket | null>(null);
  // The socket's listeners are set once; they reach the handlers of the latest render through this.
  const latestHandlers = useRef(handlers);
  latestHandlers.current = handlers;

  useEffect(() => {
    const { dispatch, notify } = page;
    const on = latestHandlers;
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
    let serverDisconnectRetry: ReturnType<typeof setTimeout> | undefined;
    const refused = (refusal: Refusal) => notify(`The server refused the connection: ${refusal.error}`);
    const core = new ChatClient(client, {
      username: page.me,
      events: {
        message: (message) => on.current.received(message),
        outbox: (change) => on.current.outboxChanged(change),
        connected(again) {
          dispatch({ type: "connection", connection: "online" });
          if (again) on.current.reconnected();
        },
        disconnected(reason) {
          dispatch({ type: "connection", connection: "offline" });
          // socket.io-client reconnects by itself, except when the server closed the connection on purpose.
          if (reason === "io server disconnect")
            serverDisconnectRetry = setTimeout(() => client.connect(), SERVER_DISCONNECT_RETRY_MS);
        },
        signedOut: () => page.signedOut(),
        waiting(_seconds, refusal) {
          dispatch({ type: "connection", connection: "offline" });
          refused(refusal);
        },
        refused(refusal) {
          dispatch({ type: "connection", connection: "refused" });
          refused(refusal);
        },
      },
    });
    // A connection attempt that failed on the way rather than being refused: socket.io-client tries again.
    client.on("connect_error", () => {
      if (client.active) dispatch({ type: "connection", connection: "offline" });
    });
    client.on("warning", (warning) => notify(warning.message));
    client.on("group", (event) => on.current.group(event));
    client.on("group:left", (event) => on.current.groupLeft(event));
    client.on("message:status", (event) => dispatch({ type: "status", event, at: new Date().toISOString() }));
    client.on("presence", (events) => dispatch({ type: "presence", events }));
    client.on("typing", (event) => on.current.typing(event));
    page.socket.current = client;
    page.client.current = core;
    setSocket(client);
    client.connect();
    return () => {
      clearTimeout(serverDisconnectRetry);
      client.removeAllListeners();
      core.close();
      page.socket.current = null;
      page.client.current = null;
    };
  }, [page]);

  return socket;
}
