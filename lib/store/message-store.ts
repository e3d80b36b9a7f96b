/**
 * The message store: messages and, per recipient, their delivery and read marks (Receipt rows), written once
 * against Prisma Client and used unchanged on SQLite and MongoDB. A message is stored once whoever it is for: a
 * direct message has one receipt, a group message one per member but the sender. Every write that a sender is
 * told about has finished before the method returns; deliveries are recorded with conditional updates so that two
 * sockets (or two server instances) draining the same backlog cannot both claim a message.
 */
import { randomUUID } from "node:crypto";
import type { Message as MessageRow, Prisma, Receipt as ReceiptRow } from "@prisma/client";
import { log } from "../log";
import { isGroup } from "../contract/names";
import { compareChronologically } from "../contract/order";
import type { ChatMessage, MessageReceipts, MessageType } from "../contract/payloads";
import { isStoreBusy, isStoreFull, sinceAsked } from "./busy";
import type { Database } from "./database";
import type { FastPathsWithRetry } from "./fast-paths";
import { GroupCommit } from "./group-commit";
import { newMessageId } from "./message-id";
import {
  advanceConversationsPortable,
  insertMessagesPortable,
  insertReceiptsPortable,
  newestPerConversation,
} from "./message-writes";
import type { StoreObserver } from "./observer";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryOnConflict } from "./retry";
import type { AckedReceipt, ClaimedReceipt } from "./sqlite-claims";

export interface NewMessage {
  sender: string;
  /** A username, or a group's key (`#<group id>`, see group-store.ts). */
  destination: string;
  message: string;
  type: MessageType;
  metadata?: Record<string, unknown> | null;
  clientId?: string;
  /** Who gets a receipt: the destination for a direct message (the default), every member but the sender for a group. */
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

const change = (id: string, sender: string, conversation: string): ReceiptChange =>
  isGroup(conversation) ? { id, sender, group: true } : { id, sender };

/**
 * Faster ways to do what the portable code does, offered by a connector that has them (SQLite: sqlite-insert.ts and
 * sqlite-claims.ts for writes, sqlite-backlog.ts and sqlite-history.ts for reads). Without them the store runs only
 * Prisma Client calls — what MongoDB runs. Each returns exactly what its portable twin returns; the store suite runs
 * both on the same data.
 */
export interface MessageFastPaths {
  /**
   * Stores new messages, their receipts, and moves their conversation rows, as one write; returns the ids stored
   * — all but those whose sender already has a message under their clientKey, which are skipped, not an error.
   */
  storeMessages(rows: MessageRow[], receipts: ReceiptRow[]): Set<string>;
  /** Marks delivered those of `acked` still undelivered, stamped with `token`, and returns exactly those. */
  claimDeliveries(acked: AckedReceipt[], at: Date, token: string): ClaimedReceipt[];
  /** What `undelivered` returns (its portable twin is `undeliveredPortable`). */
  undelivered(recipient: string, options: UndeliveredOptions): ChatMessage[];
  /** What `conversation` returns (its portable twin is `conversationPortable`). */
  conversationPage(viewer: string, conversation: string, page: Page): ChatMessage[] | undefined;
}

export interface MessageStoreOptions {
  fastPaths?: FastPathsWithRetry<MessageFastPaths>;
  retry?: RetryPolicy;
  observer?: StoreObserver;
}

/**
 * A message row as JSON, as `viewer` sees it. `names` turns a group key into `#<name>`. A direct message carries
 * its one receipt's marks; a group message carries the viewer's own receipt's marks, and for its sender a summary of
 * every member's (`receipts`).
 */
export function toChatMessage(
  row: MessageRow,
  receipts: Pick<ReceiptRow, "recipient" | "deliveredAt" | "readAt">[] = [],
  viewer?: string,
  names?: Map<string, string>,
): ChatMessage {
  const group = isGroup(row.destination);
  const own = group ? receipts.find((receipt) => receipt.recipient === viewer) : receipts[0];
  const message: ChatMessage = {
    id: row.id,
    sender: row.sender,
    destination: group ? (names?.get(row.destination) ?? row.destination) : row.destination,
    message: row.message,
    timestamp: row.timestamp.toISOString(),
    type: row.type as MessageType,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    deliveredAt: own?.deliveredAt?.toISOString() ?? null,
    readAt: own?.readAt?.toISOString() ?? null,
    ...(row.clientId ? { clientId: row.clientId } : {}),
  };
  if (group && viewer === row.sender) message.receipts = summarize(receipts);
  return message;
}

function summarize(receipts: Pick<ReceiptRow, "recipient" | "deliveredAt" | "readAt">[]): MessageReceipts {
  const names = (pick: (r: (typeof receipts)[number]) => Date | null) =>
    receipts
      .filter((r) => pick(r) !== null)
      .map((r) => r.recipient)
      .sort();
  return { recipients: receipts.length, deliveredTo: names((r) => r.deliveredAt), readBy: names((r) => r.readAt) };
}

/** Newest first; the id breaks ties between messages stored in the same millisecond. */
const NEWEST_FIRST = [{ timestamp: "desc" }, { id: "desc" }] satisfies Prisma.MessageOrderByWithRelationInput[];
const RECEIPTS_CHRONOLOGICAL = [
  { timestamp: "asc" },
  { messageId: "asc" },
] satisfies Prisma.ReceiptOrderByWithRelationInput[];
const RECEIPTS_NEWEST_FIRST = [
  { timestamp: "desc" },
  { messageId: "desc" },
] satisfies Prisma.ReceiptOrderByWithRelationInput[];

/**
 * What one write carries at most, counted in rows: a direct message weighs 1, a group message its receipts. 500
 * messages × 9 columns stays well inside the 32,766 bound parameters of one SQLite statement; receipts go in
 * slices of their own (sqlite-insert.ts).
 */
const MAX_ROWS_PER_WRITE = 500;
const MAX_IDS_PER_DELIVERY_WRITE = 2_000;
/** Prisma refuses a query with more than 999 bound values on SQLite, so long id lists go in slices. */
const IDS_PER_QUERY = 900;

interface DeliveryClaim {
  recipient: string;
  ids: string[];
  at: Date;
  /** When it was asked for (Date.now()): a busy store's deadline counts from here, not from when its batch began. */
  askedAt: number;
}

interface PendingMessage {
  row: MessageRow;
  receipts: ReceiptRow[];
  askedAt: number;
}

/** The identity of a send: its sender and clientKey (NUL is in no username, so no two pairs run together). */
const keyOf = (row: Pick<MessageRow, "sender" | "clientKey">) => `${row.sender}\u0000${row.clientKey}`;

/** A batch that failed because the store was busy or full would fail item by item too: it is nobody's fault. */
const isolateUnlessBusy = (error: unknown) => !isStoreBusy(error) && !isStoreFull(error);
const oldest = (items: { askedAt: number }[]) => Math.min(...items.map((item) => item.askedAt));

/** The receipt rows of a new message: one per recipient, each keyed by the conversation as that recipient sees it. */
export function receiptsFor(row: MessageRow, recipients: string[]): ReceiptRow[] {
  const conversation = isGroup(row.destination) ? row.destination : row.sender;
  return recipients.map((recipient) => ({
    id: randomUUID(),
    messageId: row.id,
    recipient,
    conversation,
    sender: row.sender,
    timestamp: row.timestamp,
    deliveredAt: null,
    readAt: null,
    deliveryClaim: null,
  }));
}

export class MessageStore {
  private readonly messageWrites = new GroupCommit<PendingMessage, MessageRow>(
    (items: PendingMessage[]) => sinceAsked(oldest(items), () => this.storeMessages(items)),
    {
      maxWeight: MAX_ROWS_PER_WRITE,
      weigh: (item) => Math.max(1, item.receipts.length),
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
  private readonly fastPaths: FastPathsWithRetry<MessageFastPaths> | undefined;
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
   * Stores a message with its receipts, or — when its sender already stored one under this clientId, even in the
   * same batch or on another instance a moment ago — answers with that one and `resent: true`, storing nothing.
   * The unique (sender, clientKey) index decides, so racing resends cannot store two rows.
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
      clientId: input.clientId ?? null,
      clientKey: input.clientId ?? id,
    };
    const receipts = receiptsFor(row, input.recipients ?? [input.destination]);
    const stored = await this.messageWrites.submit({ row, receipts, askedAt: Date.now() });
    if (stored.id === row.id) {
      this.observer?.messageStored();
      // Just written: its receipts are the ones above, all still waiting; nothing to read back.
      const names = input.shownAs
        ? new Map([[row.destination, input.shownAs]])
        : await this.groupNames([row.destination]);
      return { message: toChatMessage(row, receipts, input.sender, names), resent: false };
    }
    const [message] = await this.present([stored], input.sender);
    return { message: message!, resent: true };
  }

  /**
   * One group-commit write; returns, for each item, the row stored under its (sender, clientKey): itself, or the
   * message that was there first. A write conflict rolls the insert back, so it is retried; if the batch still
   * fails, the group commit writes each message alone and only the failing one errors.
   */
  private async storeMessages(items: PendingMessage[]): Promise<MessageRow[]> {
    // Items sharing a key in this batch (one send arriving through two doors at once): the first is written.
    const first = new Map<string, PendingMessage>();
    for (const item of items) if (!first.has(keyOf(item.row))) first.set(keyOf(item.row), item);
    const written = [...first.values()];
    const rows = written.map((item) => item.row);
    let stored: Set<string>;
    if (this.fastPaths) {
      const receipts = written.flatMap((item) => item.receipts);
      stored = await this.fastPaths.run((paths) => paths.storeMessages(rows, receipts));
    } else {
      stored = await insertMessagesPortable(this.db, rows, this.retry);
      // Without a transaction the receipts follow the messages. A message stored without them (this write failed
      // between the two) was not acknowledged; its resend, or this batch written again item by item, finds the
      // message stored and writes its receipts then (`completeReceipts`).
      const receipts = written.filter((item) => stored.has(item.row.id)).flatMap((item) => item.receipts);
      await insertReceiptsPortable(this.db, receipts, this.retry);
      // The messages are stored and are about to be acknowledged; a conversation row left behind
      // only shows an older last message in the list until the next message of that conversation.
      const conversations = newestPerConversation(
        rows.filter((row) => stored.has(row.id)),
        receipts,
      );
      await advanceConversationsPortable(this.db, conversations, this.retry).catch((error) =>
        log.error("conversation list not updated for new messages:", error),
      );
    }
    const byKey = new Map<string, MessageRow>();
    for (const item of written) {
      if (stored.has(item.row.id)) {
        byKey.set(keyOf(item.row), item.row);
        continue;
      }
      const found = await this.storedUnder(item.row);
      if (!this.fastPaths)
        await this.completeReceipts(
          found,
          item.receipts.map((receipt) => receipt.recipient),
        );
      byKey.set(keyOf(item.row), found);
    }
    return items.map((item) => byKey.get(keyOf(item.row))!);
  }

  /**
   * The receipts of a message the portable path stored in an earlier attempt that failed before its receipts were
   * written (that attempt was not acknowledged): written now, for the recipients of this attempt, if it has none.
   */
  private async completeReceipts(stored: MessageRow, recipients: string[]): Promise<void> {
    if (recipients.length === 0) return;
    const any = await this.db.receipt.findFirst({ where: { messageId: stored.id }, select: { id: true } });
    if (any) return;
    await insertReceiptsPortable(this.db, receiptsFor(stored, recipients), this.retry);
  }

  /** The message already stored under a row's (sender, clientKey), which refused the row. */
  private async storedUnder(row: MessageRow): Promise<MessageRow> {
    const stored = await this.db.message.findUnique({
      where: { sender_clientKey: { sender: row.sender, clientKey: row.clientKey } },
    });
    if (!stored) throw new Error(`message ${row.id} was neither stored nor refused as a duplicate`);
    return stored;
  }

  /** Messages still waiting for `recipient`, oldest first, resuming after the message `after`. */
  undelivered(recipient: string, options: UndeliveredOptions): Promise<ChatMessage[]> {
    return this.fastPaths
      ? this.fastPaths.run((paths) => paths.undelivered(recipient, options))
      : this.undeliveredPortable(recipient, options);
  }

  /** `undelivered` in Prisma Client calls: what MongoDB runs, and the twin the SQLite fast path is held to. */
  async undeliveredPortable(recipient: string, options: UndeliveredOptions): Promise<ChatMessage[]> {
    const receipts = await this.db.receipt.findMany({
      where: { recipient, deliveredAt: null, ...(options.after ? receiptLaterThan(options.after) : {}) },
      orderBy: RECEIPTS_CHRONOLOGICAL,
      take: options.limit,
    });
    const rows = await this.messagesById(receipts.map((r) => r.messageId));
    // The recipient's own receipt is all that shows of a message to them: nothing more to read.
    const names = await this.groupNames(receipts.map((r) => r.conversation));
    return receipts.flatMap((receipt) => {
      const row = rows.get(receipt.messageId);
      return row ? [toChatMessage(row, [receipt], recipient, names)] : [];
    });
  }

  /**
   * Records that `recipient` received these messages. Returns the ones this call delivered — a
   * message another socket or instance already marked is not returned again — so each sender hears
   * "delivered" once. Ids of messages `recipient` has no receipt for are ignored.
   */
  markDelivered(recipient: string, ids: string[], at: Date): Promise<ReceiptChange[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.deliveryWrites.submit({ recipient, ids, at, askedAt: Date.now() }).then((delivered) => {
      this.observer?.messagesDelivered(delivered.length);
      return delivered;
    });
  }

  /**
   * Many recipients' acks in one write. The claim is a conditional update: it touches only that recipient's
   * receipts still undelivered, and stamps them with a random token of this write — unique across instances,
   * unlike a time — so reading the token back finds exactly the receipts this write delivered, even when another
   * instance claims the same backlog at the same millisecond.
   */
  private async claimDeliveries(claims: DeliveryClaim[]): Promise<ReceiptChange[][]> {
    const token = randomUUID();
    const at = new Date(Math.max(...claims.map((claim) => claim.at.getTime())));
    const idsByRecipient = new Map<string, Set<string>>();
    for (const claim of claims) {
      const ids = idsByRecipient.get(claim.recipient) ?? new Set<string>();
      for (const id of claim.ids) ids.add(id);
      idsByRecipient.set(claim.recipient, ids);
    }
    const acked = [...idsByRecipient].flatMap(([recipient, ids]) =>
      [...ids].map((messageId) => ({ messageId, recipient })),
    );
    const rows = this.fastPaths
      ? await this.fastPaths.run((paths) => paths.claimDeliveries(acked, at, token))
      : await this.claimDeliveriesPortable(idsByRecipient, at, token);
    const claimed = new Map<string, ReceiptChange>(); // by recipient NUL messageId
    for (const row of rows)
      claimed.set(`${row.recipient}\u0000${row.messageId}`, change(row.messageId, row.sender, row.conversation));
    return claims.map((claim) =>
      claim.ids.flatMap((id) => {
        const key = `${claim.recipient}\u0000${id}`;
        const change = claimed.get(key);
        if (!change) return [];
        claimed.delete(key); // an id acked twice in one write is delivered once
        return [change];
      }),
    );
  }

  /**
   * The claim in Prisma Client calls: a conditional update stamping the token, then the receipts that carry it.
   * Every recipient's receipts in one update per slice, not one per recipient: the members of a group acknowledge
   * the same message within a few milliseconds, and a write per member held the store (and the next message) for
   * as many round trips as the group has members.
   */
  private async claimDeliveriesPortable(
    idsByRecipient: Map<string, Set<string>>,
    at: Date,
    token: string,
  ): Promise<ClaimedReceipt[]> {
    const claimed: ClaimedReceipt[] = [];
    for (const slice of pairSlices(idsByRecipient, IDS_PER_QUERY)) {
      const clauses = [...slice].map(([recipient, ids]) => ({ recipient, messageId: { in: ids } }));
      await retryOnConflict(
        () =>
          this.db.receipt.updateMany({
            where: { deliveredAt: null, OR: clauses },
            data: { deliveredAt: at, deliveryClaim: token },
          }),
        this.retry,
      );
      // The token is this write's alone, so these are exactly the receipts it stamped.
      claimed.push(
        ...(await this.db.receipt.findMany({
          where: { messageId: { in: [...new Set([...slice.values()].flat())] }, deliveryClaim: token },
          select: { messageId: true, recipient: true, sender: true, conversation: true },
        })),
      );
    }
    return claimed;
  }

  /**
   * Marks everything `reader` received in one conversation (a peer's name, or a group key) as read, and delivered;
   * returns what changed, with whose each message was.
   */
  async markConversationRead(reader: string, conversation: string, at: Date): Promise<ReceiptChange[]> {
    const unread = await this.db.receipt.findMany({
      where: { recipient: reader, readAt: null, conversation },
      select: { messageId: true, sender: true },
    });
    if (unread.length === 0) return [];
    const ids = unread.map((m) => m.messageId);
    for (const slice of slices(ids, IDS_PER_QUERY)) {
      await retryOnConflict(
        () =>
          this.db.receipt.updateMany({
            where: { recipient: reader, messageId: { in: slice }, deliveredAt: null },
            data: { deliveredAt: at },
          }),
        this.retry,
      );
      await retryOnConflict(
        () =>
          this.db.receipt.updateMany({
            where: { recipient: reader, messageId: { in: slice }, readAt: null },
            data: { readAt: at },
          }),
        this.retry,
      );
    }
    return unread.map((r) => change(r.messageId, r.sender, conversation));
  }

  /**
   * One page of a conversation as `viewer` sees it, returned oldest first, ending before `before`: what the viewer
   * sent to `conversation` (a peer's name or a group key) and what they received in it. For a group that is what
   * was sent while they were a member: they have a receipt for nothing else. Undefined when `before` is not a
   * message of this page's conversation.
   */
  conversation(viewer: string, conversation: string, page: Page): Promise<ChatMessage[] | undefined> {
    return this.fastPaths
      ? this.fastPaths.run((paths) => paths.conversationPage(viewer, conversation, page))
      : this.conversationPortable(viewer, conversation, page);
  }

  /** `conversation` in Prisma Client calls: what MongoDB runs, and the twin the SQLite fast path is held to. */
  async conversationPortable(viewer: string, conversation: string, page: Page): Promise<ChatMessage[] | undefined> {
    let cursor: MessageRow | null = null;
    if (page.before) {
      cursor = await this.db.message.findUnique({ where: { id: page.before } });
      if (!cursor || !(await this.isIn(cursor, viewer, conversation))) return undefined;
    }
    // One index range scan per direction, merged here: an OR across both makes the database sort them all.
    const [sent, received] = await Promise.all([
      this.db.message.findMany({
        where: { sender: viewer, destination: conversation, ...(cursor ? earlierThan(cursor) : {}) },
        orderBy: NEWEST_FIRST,
        take: page.limit,
      }),
      this.db.receipt.findMany({
        where: { recipient: viewer, conversation, ...(cursor ? receiptEarlierThan(cursor) : {}) },
        orderBy: RECEIPTS_NEWEST_FIRST,
        take: page.limit,
        select: { messageId: true },
      }),
    ]);
    const receivedRows = await this.messagesById(received.map((r) => r.messageId));
    const newest = [...sent, ...receivedRows.values()]
      .sort((x, y) => compareChronologically(y, x))
      .slice(0, page.limit);
    return this.present(newest.reverse(), viewer);
  }

  /** Whether `viewer` sent this message to `conversation` or received it there. */
  private async isIn(row: MessageRow, viewer: string, conversation: string): Promise<boolean> {
    if (row.sender === viewer) return row.destination === conversation;
    const receipt = await this.db.receipt.findUnique({
      where: { messageId_recipient: { messageId: row.id, recipient: viewer } },
      select: { conversation: true },
    });
    return receipt?.conversation === conversation;
  }

  /** Every receipt of one message, for its sender: who has it, who read it. */
  async receipts(messageId: string): Promise<{ message: MessageRow; receipts: ReceiptRow[] } | undefined> {
    const message = await this.db.message.findUnique({ where: { id: messageId } });
    if (!message) return undefined;
    return { message, receipts: await this.db.receipt.findMany({ where: { messageId } }) };
  }

  /**
   * For each conversation `username` has (a peer, or a group key among `groups` — the groups they are in now):
   * the latest message and how many are unread, newest conversation first. Reads one conversation row and one
   * message per conversation, and the index entries of the unread receipts — never every message.
   */
  async conversations(
    username: string,
    groups: Set<string> = new Set(),
  ): Promise<{ peer: string; last: ChatMessage; unread: number }[]> {
    const rows = (await this.db.conversation.findMany({ where: { owner: username } })).filter(
      (row) => !isGroup(row.peer) || groups.has(row.peer),
    );
    if (rows.length === 0) return [];
    const [lastMessages, unread] = await Promise.all([
      this.messagesById(rows.map((row) => row.lastMessageId)),
      this.db.receipt.groupBy({ by: ["conversation"], where: { recipient: username, readAt: null }, _count: true }),
    ]);
    const unreadIn = new Map(unread.map((group) => [group.conversation, group._count]));
    const listed = rows
      .flatMap((row) => {
        const last = lastMessages.get(row.lastMessageId);
        return last ? [{ peer: row.peer, last, unread: unreadIn.get(row.peer) ?? 0 }] : [];
      })
      .sort((x, y) => compareChronologically(y.last, x.last));
    const presented = await this.present(
      listed.map((entry) => entry.last),
      username,
    );
    const names = await this.groupNames(listed.map((entry) => entry.peer));
    return listed.map(({ peer, unread }, i) => ({ peer: names.get(peer) ?? peer, last: presented[i]!, unread }));
  }

  /** Message rows as `viewer` sees them: receipts attached, group keys named. */
  async present(rows: MessageRow[], viewer: string): Promise<ChatMessage[]> {
    if (rows.length === 0) return [];
    const receipts = new Map<string, ReceiptRow[]>();
    for (const slice of slices(
      rows.map((row) => row.id),
      IDS_PER_QUERY,
    )) {
      for (const receipt of await this.db.receipt.findMany({ where: { messageId: { in: slice } } })) {
        const list = receipts.get(receipt.messageId) ?? [];
        list.push(receipt);
        receipts.set(receipt.messageId, list);
      }
    }
    const names = await this.groupNames(rows.map((row) => row.destination));
    return rows.map((row) => toChatMessage(row, receipts.get(row.id) ?? [], viewer, names));
  }

  /** `#<group id>` → `#<name>` for the group keys among `keys`. */
  private async groupNames(keys: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(keys.filter(isGroup).map((key) => key.slice(1)))];
    const names = new Map<string, string>();
    for (const slice of slices(ids, IDS_PER_QUERY)) {
      for (const group of await this.db.group.findMany({ where: { id: { in: slice } } }))
        names.set(`#${group.id}`, `#${group.name}`);
    }
    return names;
  }

  private async messagesById(ids: string[]): Promise<Map<string, MessageRow>> {
    const found = new Map<string, MessageRow>();
    for (const slice of slices(ids, IDS_PER_QUERY)) {
      for (const row of await this.db.message.findMany({ where: { id: { in: slice } } })) found.set(row.id, row);
    }
    return found;
  }
}

/**
 * (recipient, ids) pairs cut into slices of at most `size` bound values each (a recipient and each of its ids count
 * one), keeping each recipient's ids together where they fit.
 */
function pairSlices(idsByRecipient: Map<string, Set<string>>, size: number): Map<string, string[]>[] {
  const result: Map<string, string[]>[] = [];
  let current = new Map<string, string[]>();
  let weight = 0;
  for (const [recipient, ids] of idsByRecipient) {
    for (const part of slices([...ids], size - 1)) {
      if (weight + part.length + 1 > size && current.size > 0) {
        result.push(current);
        current = new Map();
        weight = 0;
      }
      current.set(recipient, [...(current.get(recipient) ?? []), ...part]);
      weight += part.length + 1;
    }
  }
  if (current.size > 0) result.push(current);
  return result;
}

function slices<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * Strictly before `row` in (timestamp, id) order, written as a range on the timestamp (which an index
 * can walk) minus the ties at its edge, rather than as an OR that makes the database scan.
 */
function earlierThan(row: Pick<MessageRow, "id" | "timestamp">): Prisma.MessageWhereInput {
  return { timestamp: { lte: row.timestamp }, NOT: { timestamp: row.timestamp, id: { gte: row.id } } };
}

/** The same on receipts, whose message's id is `messageId`. */
function receiptEarlierThan(row: Pick<MessageRow, "id" | "timestamp">): Prisma.ReceiptWhereInput {
  return { timestamp: { lte: row.timestamp }, NOT: { timestamp: row.timestamp, messageId: { gte: row.id } } };
}

/** Strictly after `message` in (timestamp, id) order, on receipts; see earlierThan. */
function receiptLaterThan(message: Pick<ChatMessage, "id" | "timestamp">): Prisma.ReceiptWhereInput {
  const timestamp = new Date(message.timestamp);
  return { timestamp: { gte: timestamp }, NOT: { timestamp, messageId: { lte: message.id } } };
}
