/**
 * The message store: messages and, per recipient, their delivery and read marks (Receipt rows). A message is stored
 * once whoever it is for: a direct message has one receipt, a group message one per member but the sender. Every
 * write that a sender is told about has finished before the method returns; deliveries are recorded so that two
 * sockets (or two server instances) draining the same backlog cannot both claim a message.
 *
 * Two implementations: portable/messages.ts (Prisma Client calls, what MongoDB runs) and sqlite/messages.ts (the
 * same answers from prepared SQLite statements where they are faster); openStore (index.ts) picks one.
 */
import type { Message as MessageRow, Receipt as ReceiptRow } from "@prisma/client";
import type { ChatMessage, ConversationSummary, MessageType } from "../contract/payloads";

export interface NewMessage {
  sender: string;
  /** A username, or a group's key (`#<group id>`, see groups.ts). */
  destination: string;
  message: string;
  type: MessageType;
  metadata?: Record<string, unknown> | null;
  clientId?: string;
  /** Who gets a receipt: the destination for a direct message (the default), each member but the sender for a group. */
  recipients?: string[];
  /** How a group destination is shown (`#<name>`), so answering the send needs no lookup. */
  shownAs?: string;
}

export interface SavedMessage {
  /** The message as stored: the new one, or for a resend the one stored first under its clientId. */
  message: ChatMessage;
  /** True when the sender had already stored a message under this clientId, so nothing new was stored. */
  resent: boolean;
}

export interface Page {
  before?: string;
  limit: number;
}

/** A batch of someone's backlog: at most `limit`, after the message `after` in (timestamp, id) order. */
export interface UndeliveredOptions {
  /** Only its id and timestamp count: a cursor from the wire carries nothing else. */
  after?: Pick<ChatMessage, "id" | "timestamp">;
  limit: number;
}

/** A receipt this call marked delivered or read: which message, whose, and (only then) that it is a group's. */
export interface ReceiptChange {
  id: string;
  sender: string;
  group?: true;
}

export interface MessageStore {
  /** Resolves once the message is committed, together with any others saved at the same moment. */
  saveMessage(input: NewMessage): Promise<ChatMessage>;

  /**
   * Stores a message with its receipts, or — when its sender already stored one under this clientId, even in the
   * same batch or on another instance a moment ago — answers with that one and `resent: true`, storing nothing.
   * The unique (sender, clientKey) index decides, so racing resends cannot store two rows.
   */
  save(input: NewMessage): Promise<SavedMessage>;

  /** Messages still waiting for `recipient`, oldest first, resuming after the message `after`. */
  undelivered(recipient: string, options: UndeliveredOptions): Promise<ChatMessage[]>;

  /**
   * Records that `recipient` received these messages. Returns the ones this call delivered — a
   * message another socket or instance already marked is not returned again — so each sender hears
   * "delivered" once. Ids of messages `recipient` has no receipt for are ignored.
   */
  markDelivered(recipient: string, ids: string[], at: Date): Promise<ReceiptChange[]>;

  /**
   * Marks everything `reader` received in one conversation (a peer's name, or a group key) as read, and delivered;
   * returns what changed, with whose each message was.
   */
  markConversationRead(reader: string, conversation: string, at: Date): Promise<ReceiptChange[]>;

  /**
   * One page of a conversation as `viewer` sees it, returned oldest first, ending before `before`: what the viewer
   * sent to `conversation` (a peer's name or a group key) and what they received in it. For a group that is what
   * was sent while they were a member: they have a receipt for nothing else. Undefined when `before` is not a
   * message of this page's conversation.
   */
  conversation(viewer: string, conversation: string, page: Page): Promise<ChatMessage[] | undefined>;

  /** Every receipt of one message, for its sender: who has it, who read it. */
  receipts(messageId: string): Promise<{ message: MessageRow; receipts: ReceiptRow[] } | undefined>;

  /**
   * For each conversation `username` has (a peer, or a group key among `groups` — the groups they are in now):
   * the latest message and how many are unread, newest conversation first.
   */
  conversations(username: string, groups?: Set<string>): Promise<ConversationSummary[]>;
}
