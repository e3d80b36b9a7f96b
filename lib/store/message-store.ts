/**
 * The message store: users, sessions and messages, written once against Prisma Client and used
 * unchanged on SQLite and MongoDB. Every write that a sender is told about has finished before
 * the method returns; deliveries are recorded with conditional updates so that two sockets (or two
 * server instances) draining the same backlog cannot both claim a message.
 */
import type { Message as MessageRow, Prisma } from "@prisma/client";
import type { ChatMessage, MessageType } from "../protocol";
import type { Database } from "./prisma-client";

export interface StoredUser {
  id: string;
  username: string;
  passwordHash: string;
  lastSeen: Date | null;
}

export interface NewMessage {
  sender: string;
  destination: string;
  message: string;
  type: MessageType;
  metadata?: Record<string, unknown> | null;
}

export interface Page {
  before?: string;
  limit: number;
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
  };
}

/** Oldest first; the id breaks ties between messages stored in the same millisecond. */
const CHRONOLOGICAL = [{ timestamp: "asc" }, { id: "asc" }] satisfies Prisma.MessageOrderByWithRelationInput[];
const NEWEST_FIRST = [{ timestamp: "desc" }, { id: "desc" }] satisfies Prisma.MessageOrderByWithRelationInput[];

export class MessageStore {
  constructor(private readonly db: Database) {}

  // ── users ──────────────────────────────────────────────────────────────────

  /** Claims a username; `undefined` when someone already has it. */
  async createUser(username: string, passwordHash: string): Promise<StoredUser | undefined> {
    try {
      return await this.db.user.create({ data: { username, passwordHash } });
    } catch (error) {
      if ((error as { code?: string }).code === "P2002") return undefined; // unique constraint: taken
      throw error;
    }
  }

  findUser(username: string): Promise<StoredUser | null> {
    return this.db.user.findUnique({ where: { username } });
  }

  listUsers(): Promise<Pick<StoredUser, "username" | "lastSeen">[]> {
    return this.db.user.findMany({ select: { username: true, lastSeen: true }, orderBy: { username: "asc" } });
  }

  async touchLastSeen(username: string, at: Date): Promise<void> {
    await this.db.user.updateMany({ where: { username }, data: { lastSeen: at } });
  }

  // ── sessions ───────────────────────────────────────────────────────────────

  async createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db.session.create({ data: { userId, tokenHash, expiresAt } });
  }

  /** The username a live session belongs to, or undefined for an unknown or expired token. */
  async sessionUser(tokenHash: string, now: Date): Promise<string | undefined> {
    const session = await this.db.session.findUnique({
      where: { tokenHash },
      select: { expiresAt: true, user: { select: { username: true } } },
    });
    return session && session.expiresAt > now ? session.user.username : undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.session.deleteMany({ where: { tokenHash } });
  }

  // ── messages ───────────────────────────────────────────────────────────────

  async saveMessage(input: NewMessage): Promise<ChatMessage> {
    const row = await this.db.message.create({
      data: { ...input, metadata: (input.metadata ?? undefined) as Prisma.InputJsonValue | undefined },
    });
    return toChatMessage(row);
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
   * Records that `destination` received these messages and returns the ids this call delivered: a
   * message another socket or instance already marked is not returned again, so each sender hears
   * "delivered" once. The conditional update is the claim. For one message its count says whether
   * it was ours; for a batch, the rows are stamped with a time no other call of this process uses,
   * and reading that stamp back finds exactly ours.
   */
  async markDelivered(destination: string, ids: string[], at: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const deliveredAt = ids.length === 1 ? at : this.uniqueStamp(at);
    const { count } = await this.db.message.updateMany({
      where: { id: { in: ids }, destination, deliveredAt: null },
      data: { deliveredAt },
    });
    if (count === 0 || ids.length === 1) return count === 0 ? [] : ids;
    const claimed = await this.db.message.findMany({ where: { id: { in: ids }, deliveredAt }, select: { id: true } });
    return claimed.map((row) => row.id);
  }

  private lastStamp = 0;

  /** `at`, or the millisecond after the last batch stamp if that is not earlier (batches are rare). */
  private uniqueStamp(at: Date): Date {
    this.lastStamp = Math.max(at.getTime(), this.lastStamp + 1);
    return new Date(this.lastStamp);
  }

  /** Marks everything `sender` sent to `reader` as read (and delivered); returns what changed. */
  async markRead(reader: string, sender: string, at: Date): Promise<string[]> {
    const unread = await this.db.message.findMany({
      where: { destination: reader, sender, readAt: null },
      select: { id: true, deliveredAt: true },
    });
    if (unread.length === 0) return [];
    const ids = unread.map((m) => m.id);
    await this.db.message.updateMany({ where: { id: { in: ids }, deliveredAt: null }, data: { deliveredAt: at } });
    await this.db.message.updateMany({ where: { id: { in: ids }, readAt: null }, data: { readAt: at } });
    return ids;
  }

  /** One page of the conversation between two people, returned oldest first, ending before `before`. */
  async conversation(a: string, b: string, page: Page): Promise<ChatMessage[] | undefined> {
    let cursor: MessageRow | null = null;
    if (page.before) {
      cursor = await this.db.message.findUnique({ where: { id: page.before } });
      if (!cursor || !isBetween(cursor, a, b)) return undefined;
    }
    const rows = await this.db.message.findMany({
      where: {
        AND: [
          {
            OR: [
              { sender: a, destination: b },
              { sender: b, destination: a },
            ],
          },
          cursor ? earlierThan(cursor) : {},
        ],
      },
      orderBy: NEWEST_FIRST,
      take: page.limit,
    });
    return rows.reverse().map(toChatMessage);
  }

  /** For each person `username` has exchanged messages with: the latest message and how many are unread. */
  async conversations(username: string): Promise<{ peer: string; last: ChatMessage; unread: number }[]> {
    const [sent, received, unread] = await Promise.all([
      this.db.message.findMany({ where: { sender: username }, distinct: ["destination"], orderBy: NEWEST_FIRST }),
      this.db.message.findMany({ where: { destination: username }, distinct: ["sender"], orderBy: NEWEST_FIRST }),
      this.db.message.groupBy({ by: ["sender"], where: { destination: username, readAt: null }, _count: true }),
    ]);
    const latest = new Map<string, MessageRow>();
    for (const row of [...sent, ...received]) {
      const peer = row.sender === username ? row.destination : row.sender;
      const known = latest.get(peer);
      if (!known || compareChronologically(row, known) > 0) latest.set(peer, row);
    }
    const unreadBy = new Map(unread.map((group) => [group.sender, group._count]));
    return [...latest.entries()]
      .map(([peer, row]) => ({ peer, last: toChatMessage(row), unread: unreadBy.get(peer) ?? 0 }))
      .sort((x, y) => y.last.timestamp.localeCompare(x.last.timestamp));
  }
}

function isBetween(row: MessageRow, a: string, b: string): boolean {
  return (row.sender === a && row.destination === b) || (row.sender === b && row.destination === a);
}

function compareChronologically(x: MessageRow, y: MessageRow): number {
  return x.timestamp.getTime() - y.timestamp.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

function earlierThan(row: Pick<MessageRow, "id" | "timestamp">): Prisma.MessageWhereInput {
  return { OR: [{ timestamp: { lt: row.timestamp } }, { timestamp: row.timestamp, id: { lt: row.id } }] };
}

function laterThan(message: Pick<ChatMessage, "id" | "timestamp">): Prisma.MessageWhereInput {
  const timestamp = new Date(message.timestamp);
  return { OR: [{ timestamp: { gt: timestamp } }, { timestamp, id: { gt: message.id } }] };
}
