/**
 * What the client core needs of a Socket.IO socket, as a structural slice of socket.io-client's `Socket` typed
 * with the contract: the page passes its browser socket, the terminal client its Node one, and a test a real socket
 * of its own, while the core imports neither socket.io-client nor anything only Node or a browser has.
 */
import type { CheckAck, SendAck } from "../contract/events";
import type { ChatMessage } from "../contract/payloads";
import type { CheckInput, ReceivedInput, SendMessageInput } from "../contract/schemas";

/** An ack awaited with a time limit: called with an error once the limit passes or the connection drops. */
type TimedAck<Reply> = (timedOut: Error | null, reply: Reply) => void;

/** `socket.timeout(ms)`: the requests the core sends, each answered through its ack. */
export interface TimedEmitter {
  emit(event: "message:send", payload: SendMessageInput, ack: TimedAck<SendAck>): unknown;
  emit(event: "check", payload: CheckInput, ack: TimedAck<CheckAck>): unknown;
}

/** A refused handshake's error: the server's words as `message`, its `{error, code, retryAfterSeconds?}` as `data`. */
export type ConnectError = Error & { data?: unknown };

export interface CoreSocket {
  readonly connected: boolean;
  /** False once socket.io-client stopped trying by itself: a `connect_error` is then the server's refusal. */
  readonly active: boolean;
  connect(): unknown;
  disconnect(): unknown;
  emit(event: "message:received", payload: ReceivedInput): unknown;
  timeout(ms: number): TimedEmitter;
  on(event: "connect", listener: () => void): unknown;
  on(event: "disconnect", listener: (reason: string) => void): unknown;
  on(event: "connect_error", listener: (error: ConnectError) => void): unknown;
  on(event: "backlog:done", listener: () => void): unknown;
  /** `ack` is there when the server asks for one (a message for you); an echo or a group broadcast has none. */
  on(event: "message", listener: (message: ChatMessage, ack?: (received?: true) => void) => void): unknown;
}
