/**
 * The message store: messages and their delivery and read marks, written once against Prisma Client and used
 * unchanged on SQLite and MongoDB. Every write that a sender is told about has finished before
 * the method returns; deliveries are recorded with conditional updates so that two sockets (or two
 * server instances) draining the same backlog cannot both claim a message.
 */
import type { Message as MessageRow, Prisma } from "@prisma/client";
import { compareChronologically } from "../message-order";
import type { ChatMessage, MessageType } from "../protocol";
import { GroupCommit } from "./group-commit";
import { newMessageId } from "./message-id";
import type { Database } from "./prisma-client";
import { type ClaimedRow, claimUndeliveredSqlite } from "./sqlite-claim";
import { insertMessagesSqlite } from "./sqlite-insert";

export interface NewMessage {
  sender: string;
  destination: string;
  message: string;
  type: MessageType;
  metadata?: Record<string, unknown> | null;
  clientId?: string;
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
    ...(row.clientId ? { clientId: row.clientId } : {}),
  };
}

/** Oldest first; the id breaks ties between messages stored in the same millisecond. */
const CHRONOLOGICAL = [{ timestamp: "asc" }, { id: "asc" }] satisfies Prisma.MessageOrderByWithRelationInput[];
const NEWEST_FIRST = [{ timestamp: "desc" }, { id: "desc" }] satisfies Prisma.MessageOrderByWithRelationInput[];

/** 500 rows × 9 columns stays well inside the 32,766 bound parameters of one SQLite statement. */
const MAX_MESSAGES_PER_WRITE = 500;
const MAX_IDS_PER_DELIVERY_WRITE = 2_000;
/** Prisma refuses a query with more than 999 bound values on SQLite, so long id lists go in slices. */
const IDS_PER_QUERY = 900;

interface DeliveryClaim {
  destination: string;
  ids: string[];
  at: Date;
}

export class MessageStore {
  private readonly messageWrites = new GroupCommit((rows: MessageRow[]) => this.insertMessages(rows), {
    maxWeight: MAX_MESSAGES_PER_WRITE,
  });
  private readonly deliveryWrites = new GroupCommit((claims: DeliveryClaim[]) => this.claimDeliveries(claims), {
    maxWeight: MAX_IDS_PER_DELIVERY_WRITE,
    weigh: (claim) => claim.ids.length,
  });

  /** `sqlite` lets new messages be inserted with one plain SQL statement (see sqlite-insert.ts). */
  constructor(
    private readonly db: Database,
    private readonly dialect: "sqlite" | "mongodb" = "sqlite",
  ) {}

  // ── messages ───────────────────────────────────────────────────────────────

  /** Resolves once the message is committed, together with any others saved at the same moment. */
  async saveMessage(input: NewMessage): Promise<ChatMessage> {
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
    };
    await this.messageWrites.submit(row);
    return toChatMessage(row);
  }

  private async insertMessages(rows: MessageRow[]): Promise<undefined[]> {
    if (this.dialect === "sqlite") {
      await insertMessagesSqlite(this.db, rows);
    } else {
      await this.db.message.createMany({
        data: rows.map((row) => ({
          ...row,
          metadata: (row.metadata ?? undefined) as Prisma.InputJsonValue | undefined,
        })),
      });
    }
    return rows.map(() => undefined);
  }

  /** The message `sender` already stored under this client id, if any (a resend after a dropped ack). */
  async findByClientId(sender: string, clientId: string): Promise<ChatMessage | undefined> {
    const row = await this.db.message.findFirst({ where: { sender, clientId } });
    return row ? toChatMessage(row) : undefined;
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
   * "delivered" once.
   */
  markDelivered(destination: string, ids: string[], at: Date): Promise<Pick<ChatMessage, "id" | "sender">[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.deliveryWrites.submit({ destination, ids, at });
  }

  /**
   * Many recipients' acks in one write. The claim is a conditional update that only touches rows still
   * undelivered and reports which rows it changed, so a message another socket, write or instance already marked
   * is never reported twice — even when several instances drain the same backlog at the same moment.
   */
  private async claimDeliveries(claims: DeliveryClaim[]): Promise<Pick<ChatMessage, "id" | "sender">[][]> {
    const ids = [...new Set(claims.flatMap((claim) => claim.ids))];
    const at = new Date(Math.max(...claims.map((claim) => claim.at.getTime())));
    const claimed = new Map<string, ClaimedRow>();
    for (const slice of slices(ids, IDS_PER_QUERY)) {
      const rows =
        this.dialect === "sqlite" ? await claimUndeliveredSqlite(this.db, slice, at) : await this.claimEach(slice, at);
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

  /** The portable twin of claimUndeliveredSqlite: one conditional update per message, each counting 1 or 0. */
  private async claimEach(ids: string[], at: Date): Promise<ClaimedRow[]> {
    const won = await Promise.all(
      ids.map(async (id) => {
        const { count } = await this.db.message.updateMany({
          where: { id, deliveredAt: null },
          data: { deliveredAt: at },
        });
        return count === 1 ? id : undefined;
      }),
    );
    const claimedIds = won.filter((id): id is string => id !== undefined);
    if (claimedIds.length === 0) return [];
    return this.db.message.findMany({
      where: { id: { in: claimedIds } },
      select: { id: true, sender: true, destination: true },
    });
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

  /** For each person `username` has exchanged messages with: the latest message and how many are unread. */
  async conversations(username: string): Promise<{ peer: string; last: ChatMessage; unread: number }[]> {
    // Aggregates find the peers (reading no message bodies); then one page of one per peer.
    const [sent, received, unread] = await Promise.all([
      this.db.message.groupBy({ by: ["destination"], where: { sender: username } }),
      this.db.message.groupBy({ by: ["sender"], where: { destination: username } }),
      this.db.message.groupBy({ by: ["sender"], where: { destination: username, readAt: null }, _count: true }),
    ]);
    const peers = new Set([...sent.map((group) => group.destination), ...received.map((group) => group.sender)]);
    const unreadBy = new Map(unread.map((group) => [group.sender, group._count]));
    const conversations = await Promise.all(
      [...peers].map(async (peer) => {
        const [last] = (await this.conversation(username, peer, { limit: 1 }))!;
        return { peer, last: last!, unread: unreadBy.get(peer) ?? 0 };
      }),
    );
    return conversations.sort((x, y) => compareChronologically(y.last, x.last));
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
