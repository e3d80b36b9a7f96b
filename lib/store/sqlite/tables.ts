/**
 * One column codec per table the SQLite implementation reads or writes (columns.ts): each declares every column of
 * Prisma's model, so the compiler names this file when the schema gains a column, and every statement takes its
 * column lists, its bound values and its decoded rows from here.
 */
import type {
  Conversation,
  Group,
  Member,
  Message,
  Receipt,
  Session,
  Subscription,
  Throttle,
  User,
} from "@prisma/client";
import { dateTime, integer, json, nullable, table, text } from "./columns";

export const MESSAGE = table<Message>({
  id: text,
  sender: text,
  destination: text,
  message: text,
  timestamp: dateTime,
  type: text,
  metadata: nullable(json),
  clientId: nullable(text),
  clientKey: text,
});

export const RECEIPT = table<Receipt>({
  id: text,
  messageId: text,
  recipient: text,
  conversation: text,
  sender: text,
  timestamp: dateTime,
  deliveredAt: nullable(dateTime),
  readAt: nullable(dateTime),
  deliveryClaim: nullable(text),
});

export const CONVERSATION = table<Conversation>({
  id: text,
  owner: text,
  peer: text,
  lastTimestamp: dateTime,
  lastMessageId: text,
});

export const GROUP = table<Group>({ id: text, name: text, owner: text, createdAt: dateTime });

export const MEMBER = table<Member>({ id: text, groupId: text, username: text, joinedAt: dateTime });

export const USER = table<User>({
  id: text,
  username: text,
  passwordHash: text,
  createdAt: dateTime,
  lastSeen: nullable(dateTime),
});

export const SESSION = table<Session>({
  id: text,
  tokenHash: text,
  userId: text,
  createdAt: dateTime,
  expiresAt: dateTime,
});

export const SUBSCRIPTION = table<Subscription>({ id: text, username: text, device: text, createdAt: dateTime });

export const THROTTLE = table<Throttle>({
  id: text,
  key: text,
  attempts: integer,
  until: nullable(dateTime),
  expiresAt: dateTime,
});
