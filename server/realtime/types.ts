import type { Server, Socket } from "socket.io";
import type { ErrorCode, Refusal } from "../../lib/contract/codes";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "../../lib/contract/events";

/** Socket.IO typed with the contract in lib/contract/events.ts. */
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * A refused handshake: socket.io-client hands `message` to the page or the terminal client as its `connect_error`,
 * with `data` beside it, so a program reads the code and not the words.
 */
export function handshakeRefusal(
  error: string,
  code: ErrorCode,
  retryAfterSeconds?: number,
): Error & { data: Refusal } {
  const refusal: Refusal = { error, code, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  return Object.assign(new Error(error), { data: refusal });
}
