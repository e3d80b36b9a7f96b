/**
 * The public contract shared by the server, the route handlers, the page and the terminal client:
 * zod schemas for everything that crosses the wire, and the types inferred from them.
 * docs/protocol.md is the prose version of this file.
 */
import { z } from "zod";
import { ChatError } from "./errors";
import { USERNAME_PATTERN } from "./protocol-basics";

export { offlineNotice, USERNAME_PATTERN } from "./protocol-basics";

export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_HISTORY_PAGE = 200;
export const DEFAULT_HISTORY_PAGE = 50;

/** A string field whose errors say whether it was missing or of the wrong type. */
function stringField(name: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`),
  });
}

/**
 * C0 controls but tab and newline, DEL, and C1 controls. A terminal acts on them (ESC clears the
 * screen or retitles the window, CR overwrites a line), so text that carries one could forge what
 * another person's terminal shows; no person types them into a message.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A string field that refuses control characters, saying so. */
function textField(name: string) {
  return stringField(name).refine((text) => !CONTROL_CHARACTER.test(text), {
    error: `${name} must not contain control characters (only newline and tab)`,
  });
}

export const usernameSchema = stringField("username").regex(USERNAME_PATTERN, {
  error: "username must be 1–32 letters, digits, '_', '.' or '-'",
});

export const MESSAGE_TYPES = ["chat", "command", "notification", "subscription"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const loginSchema = z.strictObject({
  username: usernameSchema,
  password: stringField("password")
    .min(1, { error: "password must not be empty" })
    .max(1024, { error: "password must be at most 1024 characters" })
    .pipe(textField("password")),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const messageTextSchema = stringField("message")
  .max(MAX_MESSAGE_LENGTH, { error: `message must be at most ${MAX_MESSAGE_LENGTH} characters` })
  .refine((text) => text.trim().length > 0, { error: "message must not be empty" })
  .pipe(textField("message"));

export const sendMessageSchema = z.strictObject({
  destination: usernameSchema,
  message: messageTextSchema,
  /** Chosen by the client so it can match the ack (and a retried send) to the message it drew. */
  clientId: textField("clientId").min(1).max(64).optional(),
});
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const historyQuerySchema = z.strictObject({
  with: usernameSchema,
  before: textField("before").min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(DEFAULT_HISTORY_PAGE),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const MAX_READINGS_PAGE = 1000;

export const readingsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_READINGS_PAGE).default(100),
  since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 date-time" }).optional(),
});
export type ReadingsQuery = z.infer<typeof readingsQuerySchema>;

/** How many waiting messages one `check` answers at most; `next` asks for the rest. */
export const CHECK_PAGE_SIZE = 500;

/** A check's cursor: where the page it follows ended, as `<epoch ms>.<message id>`; opaque to clients. */
const CHECK_CURSOR = /^\d{1,15}\.[A-Za-z0-9_-]{1,64}$/;

/** `check`: nothing for the first page, then `{after: next}` of the page before. */
export const checkSchema = z
  .strictObject({
    after: z.string().regex(CHECK_CURSOR, { error: "after must be the next cursor of an earlier check" }).optional(),
  })
  .optional()
  .transform((input) => input ?? {});
export type CheckInput = z.input<typeof checkSchema>;

export const markReadSchema = z.strictObject({ with: usernameSchema });
export type MarkReadInput = z.infer<typeof markReadSchema>;
export const typingSchema = z.strictObject({ destination: usernameSchema, typing: z.boolean() });
export type TypingInput = z.infer<typeof typingSchema>;

/** A message as it travels in JSON (HTTP bodies and Socket.IO events). */
export interface ChatMessage {
  id: string;
  sender: string;
  destination: string;
  message: string;
  timestamp: string;
  type: MessageType;
  metadata: Record<string, unknown> | null;
  clientId?: string;
  deliveredAt: string | null;
  readAt: string | null;
  /** Present and true when the message comes from the offline store rather than live. */
  stored?: true;
}

export interface UserSummary {
  username: string;
  online: boolean;
  lastSeen: string | null;
  /** Set for devices, naming their kind (the field keeps its first name on the wire). */
  service?: DeviceKind;
}

/** One entry of the conversation list: the person, the latest message either way, and how many are unread. */
export interface ConversationSummary {
  peer: string;
  last: ChatMessage;
  unread: number;
}

export type DeviceKind = "thermometer";
export type DeviceStatus = "running" | "rebooting" | "stopped";

export interface ReadingEvent {
  device: string;
  value: number;
  unit: string;
  timestamp: string;
}

export interface DeviceSummary {
  device: string;
  status: DeviceStatus;
  unit: string;
  range: { min: number; max: number };
  subscribed: boolean;
  last: ReadingEvent | null;
}

export interface PresenceEvent {
  username: string;
  online: boolean;
  lastSeen: string | null;
}

export interface MessageStatusEvent {
  id: string;
  status: "delivered" | "read";
}

/** Someone started or stopped typing to you. */
export interface TypingEvent {
  username: string;
  typing: boolean;
}

/** A device started, is rebooting or stopped; sent to everyone. */
export interface DeviceStatusEvent {
  device: string;
  status: DeviceStatus;
}

/** You subscribed to a device or unsubscribed (sent to every tab of yours). */
export interface SubscriptionEvent {
  device: string;
  subscribed: boolean;
}

/** Something the server tells one socket about its own conduct (a limit it ran into). */
export interface WarningEvent {
  /**
   * Stable, for programs: `typing-rate` (typing events are being dropped), `too-many-connections`
   * (this socket is over the per-person cap and is being disconnected), `send-rate` (this socket keeps
   * sending past its refusals: it is closed if it goes on, then as it is closed).
   */
  code: "typing-rate" | "too-many-connections" | "send-rate";
  /** For people. */
  message: string;
}

/** One page of waiting messages; `next` is the cursor for the following page, `null` when this was the last. */
export interface CheckPage {
  messages: ChatMessage[];
  next: string | null;
}

/** What each request event answers when it succeeds. */
export interface RequestResults {
  "message:send": { message: ChatMessage; online: boolean };
  check: CheckPage;
  "message:read": { ids: string[] };
}
export type RequestEvent = keyof RequestResults;

/** What a request event's ack carries: the result, or an error a person can read. */
export type Ack<E extends RequestEvent> = ({ ok: true } & RequestResults[E]) | { ok: false; error: string };
export type SendAck = Ack<"message:send">;
export type CheckAck = Ack<"check">;
export type MarkReadAck = Ack<"message:read">;

// ── Socket.IO events (Socket.IO's own generics: Server<ClientToServerEvents, ServerToClientEvents, …>) ──

/** Events the server pushes. */
export interface ServerToClientEvents {
  /** A message for you, live or (with `stored: true`) from the store; acking it marks it delivered. Your own sends from another tab come without an ack. */
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
}

/** Events a client sends; every request is answered through its ack. */
export interface ClientToServerEvents {
  "message:send": (payload: SendMessageInput, ack: (reply: SendAck) => void) => void;
  /** The payload may be left out for the first page (`socket.emit("check", ack)`). */
  check: (payload: CheckInput, ack: (reply: CheckAck) => void) => void;
  "message:read": (payload: MarkReadInput, ack: (reply: MarkReadAck) => void) => void;
  typing: (payload: TypingInput) => void;
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

/** Turns the first zod issue into one sentence a person can act on. */
export function describeError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  if (issue.code === "unrecognized_keys")
    return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type" && issue.path.length === 0) return "expected a JSON object";
  const where = issue.path.join(".");
  // Field schemas name their field ("message must be …"); say where when the name differs.
  return !where || issue.message.startsWith(where) ? issue.message : `${where}: ${issue.message}`;
}

/** Validates a payload from the outside world; a ChatError 400 that says what is wrong otherwise. */
export function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new ChatError(400, describeError(result.error));
  return result.data;
}
