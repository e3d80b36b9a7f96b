/**
 * What the server accepts: a zod schema for every body, query and event payload that comes in, and the input types
 * inferred from them. Server side only (the page ships no schema library); docs/protocol.md is the prose.
 */
import { z } from "zod";
import { isGroup, MAX_MESSAGE_LENGTH, USERNAME_PATTERN } from "./names";
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

/** A group's name follows the username rules (and is taken by no user or device: lib/groups.ts). */
export const groupNameSchema = stringField("name").regex(USERNAME_PATTERN, {
  error: "a group name must be 1–32 letters, digits, '_', '.' or '-'",
});

/** A person's name or `#<group name>`; a bad one is described as what it tried to be. */
export const destinationSchema = stringField("destination").superRefine((value, context) => {
  const group = isGroup(value);
  if (USERNAME_PATTERN.test(group ? value.slice(1) : value)) return;
  context.addIssue({
    code: "custom",
    message: group
      ? "a group name must be 1–32 letters, digits, '_', '.' or '-'"
      : "username must be 1–32 letters, digits, '_', '.' or '-'",
  });
});

export const loginSchema = z.strictObject({
  username: usernameSchema,
  password: stringField("password")
    .min(1, { error: "password must not be empty" })
    .max(1024, { error: "password must be at most 1024 characters" })
    .pipe(textField("password")),
});

export const messageTextSchema = stringField("message")
  .max(MAX_MESSAGE_LENGTH, { error: `message must be at most ${MAX_MESSAGE_LENGTH} characters` })
  .refine((text) => text.trim().length > 0, { error: "message must not be empty" })
  .pipe(textField("message"));

export const sendMessageSchema = z.strictObject({
  destination: destinationSchema,
  message: messageTextSchema,
  /** Chosen by the client so it can match the ack (and a retried send) to the message it drew. */
  clientId: textField("clientId").min(1).max(64).optional(),
});
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const historyQuerySchema = z.strictObject({
  with: destinationSchema,
  before: textField("before").min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(DEFAULT_HISTORY_PAGE),
});

export const MAX_READINGS_PAGE = 1000;

export const readingsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_READINGS_PAGE).default(100),
  since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 date-time" }).optional(),
});

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

export const markReadSchema = z.strictObject({ with: destinationSchema });
export type MarkReadInput = z.infer<typeof markReadSchema>;
export const typingSchema = z.strictObject({ destination: destinationSchema, typing: z.boolean() });
export type TypingInput = z.infer<typeof typingSchema>;

/** The most ids one `message:received` carries (a client acks group messages as they arrive). */
export const MAX_RECEIVED_IDS = 500;
/** `message:received`: group messages this socket has, which records them delivered for this person. */
export const receivedSchema = z.strictObject({
  ids: z.array(textField("id").min(1).max(64)).min(1).max(MAX_RECEIVED_IDS),
});
export type ReceivedInput = z.infer<typeof receivedSchema>;

// ── groups ───────────────────────────────────────────────────────────────────

/** `POST /api/groups`: the new group's name and the people in it besides its creator (who becomes its owner). */
export const createGroupSchema = z.strictObject({
  name: groupNameSchema,
  members: z.array(usernameSchema, { error: "members must be a list of usernames" }),
});
/** `PATCH /api/groups/<name>`. */
export const renameGroupSchema = z.strictObject({ name: groupNameSchema });
/** `POST /api/groups/<name>/members`. */
export const addMemberSchema = z.strictObject({ username: usernameSchema });
