/**
 * The message store: messages and their delivery and read marks, written once against Prisma Client and used
 * unchanged on SQLite and MongoDB. Every write that a sender is told about has finished before
 * the method returns; deliveries are recorded with conditional updates so that two sockets (or two
 * server instances) draining the same backlog cannot both claim a message.
 */
import { randomUUID } from "node:crypto";
import type { Message as MessageRow, Prisma } from "@prisma/client";
import { log } from "../log";
import { compareChronologically } from "../message-order";
import type { ChatMessage, MessageType } from "../protocol";
import { isStoreBusy, sinceAsked } from "./busy";
import type { Database } from "./database";
import { GroupCommit } from "./group-commit";
import { newMessageId } from "./message-id";
import type { StoreObserver } from "./observer";
import { advanceConversationsPortable, insertMessagesPortable, newestPerConversation } from "./message-writes";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryOnConflict } from "./retry";

export interface NewMessage {
  sender: string;
  destination: string;
  message: string;
  type: MessageType;
  metadata?: Record<string, unknown> | null;
  clientId?: string;
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

/**
 * Faster ways to do what the portable code does, offered by a connector that has them (SQLite:
 * sqlite-insert.ts). Without them the store runs only Prisma Client calls — what MongoDB runs.
 */
export interface MessageFastPaths {
  /**
   * Stores new messages and moves their conversation rows, as one write; returns the ids stored — all but
   * those whose sender already has a message under their clientKey, which are skipped, not an error.
   */
  storeMessages(rows: MessageRow[]): Promise<Set<string>>;
}

export interface MessageStoreOptions {
  fastPaths?: MessageFastPaths;
  retry?: RetryPolicy;
  observer?: StoreObserver;
}

export function toChatMessage(row: MessageRow): ChatMessage {
  return {
    id: row.id,
    sender: row.sender,
    destination: row.destination,
    message: row.message,
    timestamp: row.timestamp.toISOString(),
    type: row.type as MessageType,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    readAt: row.readAt?.toISOString() ?? null,
    ...(row.clientId ? { clientId: row.clientId } : {}),
  };
}

/** Oldest first; the id breaks ties between messages stored in the same millisecond. */
const CHRONOLOGICAL = [{ timestamp: "asc" }, { id: "asc" }] satisfies Prisma.MessageOrderByWithRelationInput[];
const NEWEST_FIRST = [{ timestamp: "desc" }, { id: "desc" }] satisfies Prisma.MessageOrderByWithRelationInput[];

/** 500 rows × 11 columns stays well inside the 32,766 bound parameters of one SQLite statement. */
const MAX_MESSAGES_PER_WRITE = 500;
const MAX_IDS_PER_DELIVERY_WRITE = 2_000;
/** Prisma refuses a query with more than 999 bound values on SQLite, so long id lists go in slices. */
const IDS_PER_QUERY = 900;

interface DeliveryClaim {
  destination: string;
  ids: string[];
  at: Date;
  /** When it was asked for (Date.now()): a busy store's deadline counts from here, not from when its batch began. */
  askedAt: number;
}

interface PendingMessage {
  row: MessageRow;
  askedAt: number;
}

/** The identity of a send: its sender and clientKey (NUL is in no username, so no two pairs run together). */
const keyOf = (row: Pick<MessageRow, "sender" | "clientKey">) => `${row.sender}\u0000${row.clientKey}`;

/** A batch that failed because the store was busy would fail item by item too: it is nobody's fault. */
const isolateUnlessBusy = (error: unknown) => !isStoreBusy(error);
const oldest = (items: { askedAt: number }[]) => Math.min(...items.map((item) => item.askedAt));

export class MessageStore {
  private readonly messageWrites = new GroupCommit<PendingMessage, MessageRow>(
    (items: PendingMessage[]) => sinceAsked(oldest(items), () => this.storeMessages(items.map((item) => item.row))),
    {
      maxWeight: MAX_MESSAGES_PER_WRITE,
      isolateFailures: isolateUnlessBusy,
      observe: (items, seconds, ok) => this.observer?.groupWrite("messages", items, seconds, ok),
    },
  );
  private readonly deliveryWrites = new GroupCommit(
    (claims: DeliveryClaim[]) => sinceAsked(oldest(claims), () => this.claimDeliveries(claims)),
    {
      maxWeight: MAX_IDS_PER_DELIVERY_WRITE,
      weigh: (claim) => claim.ids.length,
      isolateFailures: isolateUnlessBusy,
      observe: (items, seconds, ok) => this.observer?.groupWrite("deliveries", items, seconds, ok),
    },
  );
  private readonly retry: RetryPolicy;
  private readonly fastPaths: MessageFastPaths | undefined;
  private readonly observer: StoreObserver | undefined;

  constructor(
    private readonly db: Database,
    options: MessageStoreOptions = {},
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.fastPaths = options.fastPaths;
    this.observer = options.observer;
  }

  // ── messages ───────────────────────────────────────────────────────────────

  /** Resolves once the message is committed, together with any others saved at the same moment. */
  async saveMessage(input: NewMessage): Promise<ChatMessage> {
    return (await this.save(input)).message;
  }

  /**
   * Stores a message, or — when its sender already stored one under this clientId, even in the same batch or
   * on another instance a moment ago — answers with that one and `resent: true`, storing nothing. The unique
   * (sender, clientKey) index decides, so racing resends cannot store two rows.
   */
  async save(input: NewMessage): Promise<SavedMessage> {
    const { id, timestamp } = newMessageId();
    const row: MessageRow = {
      id,
      timestamp,
      sender: input.sender,
      destination: input.destination,
      message: input.message,
      type: input.type,
      metadata: (input.metadata ?? null) as MessageRow["metadata"],
      deliveredAt: null,
      readAt: null,
      clientId: input.clientId ?? null,
      clientKey: input.clientId ?? id,
      deliveryClaim: null,
    };
    const stored = await this.messageWrites.submit({ row, askedAt: Date.now() });
    if (stored.id === row.id) this.observer?.messageStored();
    return { message: toChatMessage(stored), resent: stored.id !== row.id };
  }

  /**
   * One group-commit write; returns, for each row, the row stored under its (sender, clientKey): itself, or the
   * message that was there first. A write conflict rolls the insert back, so it is retried; if the batch still
   * fails, the group commit writes each message alone and only the failing one errors.
   */
  private async storeMessages(rows: MessageRow[]): Promise<MessageRow[]> {
    // Rows sharing a key in this batch (one send arriving through two doors at once): the first is written.
    const first = new Map<string, MessageRow>();
    for (const row of rows) if (!first.has(keyOf(row))) first.set(keyOf(row), row);
    const written = [...first.values()];
    let stored: Set<string>;
    if (this.fastPaths) {
      stored = await this.fastPaths.storeMessages(written);
    } else {
      stored = await insertMessagesPortable(this.db, written, this.retry);
      // The messages are stored and are about to be acknowledged; a conversation row left behind
      // only shows an older last message in the list until the next message of that conversation.
      const conversations = newestPerConversation(written.filter((row) => stored.has(row.id)));
      await advanceConversationsPortable(this.db, conversations, this.retry).catch((error) =>
        log.error("conversation list not updated for new messages:", error),
      );
    }
    const byKey = new Map<string, MessageRow>();
    for (const row of written) byKey.set(keyOf(row), stored.has(row.id) ? row : await this.storedUnder(row));
    return rows.map((row) => byKey.get(keyOf(row))!);
  }

  /** The message already stored under a row's (sender, clientKey), which refused the row. */
  private async storedUnder(row: MessageRow): Promise<MessageRow> {
    const stored = await this.db.message.findUnique({
      where: { sender_clientKey: { sender: row.sender, clientKey: row.clientKey } },
    });
    if (!stored) throw new Error(`message ${row.id} was neither stored nor refused as a duplicate`);
    return stored;
  }

  /** Messages still waiting for `destination`, oldest first, resuming after the message `after`. */
  async undelivered(destination: string, options: { after?: ChatMessage; limit: number }): Promise<ChatMessage[]> {
    const rows = await this.db.message.findMany({
      where: { destination, deliveredAt: null, ...(options.after ? laterThan(options.after) : {}) },
      orderBy: CHRONOLOGICAL,
      take: options.limit,
    });
    return rows.map(toChatMessage);
  }

  /**
   * Records that `destination` received these messages. Returns the ones this call delivered — a
   * message another socket or instance already marked is not returned again — so each sender hears
   * "delivered" once. Ids of messages sent to someone else are ignored.
   */
  markDelivered(destination: string, ids: string[], at: Date): Promise<Pick<ChatMessage, "id" | "sender">[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.deliveryWrites.submit({ destination, ids, at, askedAt: Date.now() }).then((delivered) => {
      this.observer?.messagesDelivered(delivered.length);
      return delivered;
    });
  }

  /**
   * Many recipients' acks in one write. The claim is a conditional update: it touches only messages
   * to that recipient still undelivered, and stamps them with a random token of this write — unique
   * across instances, unlike a time — so reading the token back finds exactly the messages this
   * write delivered, even when another instance claims the same backlog at the same millisecond.
   */
  private async claimDeliveries(claims: DeliveryClaim[]): Promise<Pick<ChatMessage, "id" | "sender">[][]> {
    const token = randomUUID();
    const byDestination = new Map<string, { ids: Set<string>; at: Date }>();
    for (const claim of claims) {
      const group = byDestination.get(claim.destination) ?? { ids: new Set<string>(), at: claim.at };
      for (const id of claim.ids) group.ids.add(id);
      if (claim.at > group.at) group.at = claim.at;
      byDestination.set(claim.destination, group);
    }
    for (const [destination, { ids, at }] of byDestination) {
      for (const slice of slices([...ids], IDS_PER_QUERY)) {
        await retryOnConflict(
          () =>
            this.db.message.updateMany({
              where: { destination, id: { in: slice }, deliveredAt: null },
              data: { deliveredAt: at, deliveryClaim: token },
            }),
          this.retry,
        );
      }
    }
    const claimed = new Map<string, { sender: string; destination: string }>();
    for (const slice of slices([...new Set(claims.flatMap((claim) => claim.ids))], IDS_PER_QUERY)) {
      const rows = await this.db.message.findMany({
        where: { id: { in: slice }, deliveryClaim: token },
        select: { id: true, sender: true, destination: true },
      });
      for (const row of rows) claimed.set(row.id, row);
    }
    return claims.map((claim) =>
      claim.ids.flatMap((id) => {
        const message = claimed.get(id);
        if (!message || message.destination !== claim.destination) return [];
        claimed.delete(id); // an id acked twice in one write is delivered once
        return [{ id, sender: message.sender }];
      }),
    );
  }

  /** Marks everything `sender` sent to `reader` as read (and delivered); returns what changed. */
  async markRead(reader: string, sender: string, at: Date): Promise<string[]> {
    const unread = await this.db.message.findMany({
      where: { destination: reader, readAt: null, sender },
      select: { id: true },
    });
    if (unread.length === 0) return [];
    const ids = unread.map((m) => m.id);
    for (const slice of slices(ids, IDS_PER_QUERY)) {
      await retryOnConflict(
        () =>
          this.db.message.updateMany({ where: { id: { in: slice }, deliveredAt: null }, data: { deliveredAt: at } }),
        this.retry,
      );
      await retryOnConflict(
        () => this.db.message.updateMany({ where: { id: { in: slice }, readAt: null }, data: { readAt: at } }),
        this.retry,
      );
    }
    return ids;
  }

  /** One page of the conversation between two people, returned oldest first, ending before `before`. */
  async conversation(a: string, b: string, page: Page): Promise<ChatMessage[] | undefined> {
    let cursor: MessageRow | null = null;
    if (page.before) {
      cursor = await this.db.message.findUnique({ where: { id: page.before } });
      if (!cursor || !isBetween(cursor, a, b)) return undefined;
    }
    // One index range scan per direction, merged here: an OR across both directions makes the
    // database sort the whole conversation to find one page.
    const direction = (sender: string, destination: string) =>
      this.db.message.findMany({
        where: { sender, destination, ...(cursor ? earlierThan(cursor) : {}) },
        orderBy: NEWEST_FIRST,
        take: page.limit,
      });
    const [mine, theirs] = await Promise.all([direction(a, b), direction(b, a)]);
    const newest = [...mine, ...theirs].sort((x, y) => compareChronologically(y, x)).slice(0, page.limit);
    return newest.reverse().map(toChatMessage);
  }

  /**
   * For each person `username` has exchanged messages with: the latest message and how many are
   * unread, newest conversation first. Reads one conversation row and one message per peer, and the
   * index entries of the unread messages — never every message the person exchanged.
   */
  async conversations(username: string): Promise<{ peer: string; last: ChatMessage; unread: number }[]> {
    const rows = await this.db.conversation.findMany({ where: { owner: username } });
    if (rows.length === 0) return [];
    const [lastMessages, unread] = await Promise.all([
      this.messagesById(rows.map((row) => row.lastMessageId)),
      this.db.message.groupBy({ by: ["sender"], where: { destination: username, readAt: null }, _count: true }),
    ]);
    const unreadBy = new Map(unread.map((group) => [group.sender, group._count]));
    return rows
      .flatMap((row) => {
        const last = lastMessages.get(row.lastMessageId);
        return last ? [{ peer: row.peer, last, unread: unreadBy.get(row.peer) ?? 0 }] : [];
      })
      .sort((x, y) => compareChronologically(y.last, x.last))
      .map(({ peer, last, unread }) => ({ peer, last: toChatMessage(last), unread }));
  }

  private async messagesById(ids: string[]): Promise<Map<string, MessageRow>> {
    const found = new Map<string, MessageRow>();
    for (const slice of slices(ids, IDS_PER_QUERY)) {
      for (const row of await this.db.message.findMany({ where: { id: { in: slice } } })) found.set(row.id, row);
    }
    return found;
  }
}

function slices<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function isBetween(row: MessageRow, a: string, b: string): boolean {
  return (row.sender === a && row.destination === b) || (row.sender === b && row.destination === a);
}

/**
 * Strictly before `row` in (timestamp, id) order, written as a range on the timestamp (which an index
 * can walk) minus the ties at its edge, rather than as an OR that makes the database scan.
 */
function earlierThan(row: Pick<MessageRow, "id" | "timestamp">): Prisma.MessageWhereInput {
  return { timestamp: { lte: row.timestamp }, NOT: { timestamp: row.timestamp, id: { gte: row.id } } };
}

/** Strictly after `message` in (timestamp, id) order; see earlierThan. */
function laterThan(message: Pick<ChatMessage, "id" | "timestamp">): Prisma.MessageWhereInput {
  const timestamp = new Date(message.timestamp);
  return { timestamp: { gte: timestamp }, NOT: { timestamp, id: { lte: message.id } } };
}
