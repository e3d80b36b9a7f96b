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

export const usernameSchema = stringField("username").regex(USERNAME_PATTERN, {
  error: "username must be 1–32 letters, digits, '_', '.' or '-'",
});

export const MESSAGE_TYPES = ["chat", "command", "notification", "subscription"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const loginSchema = z.strictObject({
  username: usernameSchema,
  password: stringField("password")
    .min(1, { error: "password must not be empty" })
    .max(1024, { error: "password must be at most 1024 characters" }),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const messageTextSchema = stringField("message")
  .max(MAX_MESSAGE_LENGTH, { error: `message must be at most ${MAX_MESSAGE_LENGTH} characters` })
  .refine((text) => text.trim().length > 0, { error: "message must not be empty" });

export const sendMessageSchema = z.strictObject({
  destination: usernameSchema,
  message: messageTextSchema,
  /** Chosen by the client so it can match the ack (and a retried send) to the message it drew. */
  clientId: z.string().min(1).max(64).optional(),
});
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const historyQuerySchema = z.strictObject({
  with: usernameSchema,
  before: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(DEFAULT_HISTORY_PAGE),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export const MAX_READINGS_PAGE = 1000;

export const readingsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_READINGS_PAGE).default(100),
  since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 date-time" }).optional(),
});
export type ReadingsQuery = z.infer<typeof readingsQuerySchema>;

export const markReadSchema = z.strictObject({ with: usernameSchema });
export const typingSchema = z.strictObject({ destination: usernameSchema, typing: z.boolean() });

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
  /** Set for service accounts such as thermometers. */
  service?: "thermometer";
}

export interface ReadingEvent {
  device: string;
  value: number;
  unit: string;
  timestamp: string;
}

export interface DeviceSummary {
  device: string;
  status: "running" | "rebooting" | "stopped";
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

export type SendAck = { ok: true; message: ChatMessage; online: boolean } | { ok: false; error: string };

export type CheckAck = { ok: true; messages: ChatMessage[] } | { ok: false; error: string };

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
