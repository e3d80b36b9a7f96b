/**
 * A bare Socket.IO server on an ephemeral port, for the client core's tests: the test plays the chat server (answers,
 * refuses, stays silent, drops the connection) and the core talks to it through a real socket.io-client socket.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/contract/events";
import type { ChatMessage } from "@/lib/contract/payloads";

export type BareServer = Server<ClientToServerEvents, ServerToClientEvents>;
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function startBareServer(): Promise<{ url: string; server: BareServer; close(): Promise<void> }> {
  const http = createServer();
  const server: BareServer = new Server(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client socket that reconnects quickly; it connects when the test says so. */
export function clientSocket(url: string, token?: string): ClientSocket {
  return io(url, {
    auth: token ? { token } : {},
    transports: ["websocket"],
    forceNew: true,
    autoConnect: false,
    reconnectionDelay: 20,
    reconnectionDelayMax: 50,
  });
}

let counter = 0;
export function chatMessage(extra: Partial<ChatMessage> = {}): ChatMessage {
  counter += 1;
  return {
    id: `m${counter}`,
    sender: "bob",
    destination: "alice",
    message: `text ${counter}`,
    timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, counter)).toISOString(),
    type: "chat",
    metadata: null,
    deliveredAt: null,
    readAt: null,
    ...extra,
  };
}
