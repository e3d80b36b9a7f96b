/**
 * The Socket.IO contract: every event each side may send with its payload, the answers of request events, and what
 * the server keeps on a socket (Socket.IO's own generics: Server<ClientToServerEvents, ServerToClientEvents, …>).
 */
import type {
  CheckPage,
  ChatMessage,
  DeviceStatusEvent,
  GroupEvent,
  GroupLeftEvent,
  MessageStatusEvent,
  PresenceEvent,
  ReadingEvent,
  SubscriptionEvent,
  TypingEvent,
  WarningEvent,
} from "./payloads";
import type { Refusal } from "./codes";
import type { CheckInput, MarkReadInput, ReceivedInput, SendMessageInput, TypingInput } from "./schemas";

export interface RequestResults {
  "message:send": { message: ChatMessage; online: boolean };
  check: CheckPage;
  "message:read": { ids: string[] };
}
export type RequestEvent = keyof RequestResults;

/** What a request event's ack carries: the result, or a refusal (its words for people, its code for programs). */
export type Ack<E extends RequestEvent> = ({ ok: true } & RequestResults[E]) | ({ ok: false } & Refusal);
export type SendAck = Ack<"message:send">;
export type CheckAck = Ack<"check">;
export type MarkReadAck = Ack<"message:read">;

// ── Socket.IO events (Socket.IO's own generics: Server<ClientToServerEvents, ServerToClientEvents, …>) ──

/** Events the server pushes. */
export interface ServerToClientEvents {
  /**
   * A message for you, live or (with `stored: true`) from the store; acking it marks it delivered. Your own sends
   * from another tab come without an ack.
   */
  message: (message: ChatMessage, ack: (received?: true) => void) => void;
  "message:status": (status: MessageStatusEvent) => void;
  /** Presence changes gathered over a short window, each person once. */
  presence: (changes: PresenceEvent[]) => void;
  typing: (event: TypingEvent) => void;
  "thermometer:reading": (reading: ReadingEvent) => void;
  "thermometer:status": (status: DeviceStatusEvent) => void;
  "thermometer:subscription": (change: SubscriptionEvent) => void;
  /** Sent once per connection, after the last message of the stored backlog was sent to this socket. */
  "backlog:done": () => void;
  /** A limit this socket ran into where there is no ack to say so (typing events being dropped). */
  warning: (warning: WarningEvent) => void;
  /** A group you are in was created, renamed, or its members changed. */
  group: (event: GroupEvent) => void;
  /** You left a group or were removed from it. */
  "group:left": (event: GroupLeftEvent) => void;
}

/** Events a client sends; every request is answered through its ack. */
export interface ClientToServerEvents {
  "message:send": (payload: SendMessageInput, ack: (reply: SendAck) => void) => void;
  /** The payload may be left out for the first page (`socket.emit("check", ack)`). */
  check: (payload: CheckInput, ack: (reply: CheckAck) => void) => void;
  "message:read": (payload: MarkReadInput, ack: (reply: MarkReadAck) => void) => void;
  typing: (payload: TypingInput) => void;
  /**
   * Group messages arrive in one broadcast to the group's room, without an ack request (an ack from a broadcast
   * does not say whose it is): the client says here which ones it has, and they are recorded delivered for it.
   */
  "message:received": (payload: ReceivedInput) => void;
}

/** Events between instances (server/cluster), answered by every other instance. */
export interface InterServerEvents {
  /** A device command only the instance running the device's job can carry out; `true` from that instance. */
  "device:command": (command: ChatMessage, ack: (handled: boolean) => void) => void;
}

/** What the server keeps on each socket. */
export interface SocketData {
  username: string;
  /** The key of the session it authenticated with (its token's hash), so ending the session can find it. */
  sessionKey: string;
  /** When that session ends, as epoch ms. */
  sessionExpiresAt: number;
  /** When the socket arrived (epoch ms, unique per instance): the newest beyond the per-person cap leave first. */
  arrival: number;
}

/** The events the server pushes, each with the one payload it carries. */
export type ServerEvent = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];
