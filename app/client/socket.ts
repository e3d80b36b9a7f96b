import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/contract/events";

/** The page's Socket.IO client, typed with the contract in lib/contract/events.ts. */
export type ChatClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
