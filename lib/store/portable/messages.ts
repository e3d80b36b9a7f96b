/**
 * The message store in Prisma Client calls, exactly what MongoDB runs (../messages.ts says what it keeps). New messages
 * and delivery marks go through a group commit each (../group-commit.ts): what is asked for at the same moment is
 * written together, and each caller hears back once its write has finished. The SQLite implementation
 * (../sqlite/messages.ts) extends this one, with its own statements for the writes of a batch and for the reads of
 * the backlog and the pages.
 */
import { randomUUID } from "node:crypto";
import type { Message as MessageRow } from "@prisma/client";
import type { ChatMessage, ConversationSummary } from "../../contract/payloads";
import { log } from "../../log";
import { isStoreBusy, isStoreFull, sinceAsked } from "../busy";
import { toChatMessage } from "../chat-message";
import type { Database } from "../database";
import { GroupCommit } from "../group-commit";
import type { MessageStore, NewMessage, Page, ReceiptChange, SavedMessage, UndeliveredOptions } from "../messages";
import { type NewMessageRows, newMessageRows, receiptsFor } from "../new-message";
import type { StoreObserver } from "../observer";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry";
import {
  conversationList,
  conversationPage,
  groupNames,
  present,
  receiptsOf,
  storedUnder,
  undelivered,
} from "./message-reads";
import { advanceConversations, insertMessages, insertReceipts, newestPerConversation } from "./message-writes";
import { type ClaimedReceipt, claimDeliveries, markConversationRead, receiptChange } from "./receipt-marks";

/**
 * What one write carries at most, counted in rows: a direct message weighs 1, a group message its receipts. 500
 * messages × 9 columns stays well inside the 32,766 bound parameters of one SQLite statement; receipts go in
 * slices of their own (../sqlite/message-writes.ts).
 */
const MAX_ROWS_PER_WRITE = 500;
const MAX_IDS_PER_DELIVERY_WRITE = 2_000;

interface PendingMessage extends NewMessageRows {
  /** When it was asked for (Date.now()): a busy store's deadline counts from here, not from when its batch began. */
  askedAt: number;
}

interface DeliveryClaim {
  recipient: string;
  ids: string[];
  at: Date;
  askedAt: number;
}

/** The identity of a send: its sender and clientKey (NUL is in no username, so no two pairs run together). */
const sendKey = (row: Pick<MessageRow, "sender" | "clientKey">) => `${row.sender}\u0000${row.clientKey}`;

/** A batch that failed because the store was busy or full would fail item by item too: it is nobody's fault. */
const isolateUnlessBusy = (error: unknown) => !isStoreBusy(error) && !isStoreFull(error);
const oldest = (items: { askedAt: number }[]) => Math.min(...items.map((item) => item.askedAt));

export class PortableMessageStore implements MessageStore {
  private readonly messageWrites = new GroupCommit<PendingMessage, MessageRow>(
    (items: PendingMessage[]) => sinceAsked(oldest(items), () => this.storeBatch(items)),
    {
      maxWeight: MAX_ROWS_PER_WRITE,
      weigh: (item) => Math.max(1, item.receipts.length),
      isolateFailures: isolateUnlessBusy,
      observe: (items, seconds, ok) => this.observer?.groupWrite("messages", items, seconds, ok),
    },
  );
  private readonly deliveryWrites = new GroupCommit(
    (claims: DeliveryClaim[]) => sinceAsked(oldest(claims), () => this.claimBatch(claims)),
    {
      maxWeight: MAX_IDS_PER_DELIVERY_WRITE,
      weigh: (claim) => claim.ids.length,
      isolateFailures: isolateUnlessBusy,
      observe: (items, seconds, ok) => this.observer?.groupWrite("deliveries", items, seconds, ok),
    },
  );

  constructor(
    protected readonly db: Database,
    protected readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly observer?: StoreObserver,
  ) {}

  // ── new messages ───────────────────────────────────────────────────────────

  async saveMessage(input: NewMessage): Promise<ChatMessage> {
    return (await this.save(input)).message;
  }

  async save(input: NewMessage): Promise<SavedMessage> {
    const { row, receipts } = newMessageRows(input);
    const stored = await this.messageWrites.submit({ row, receipts, askedAt: Date.now() });
    if (stored.id === row.id) {
      this.observer?.messageStored();
      // Just written: its receipts are the ones above, all still waiting; nothing to read back.
      const names = input.shownAs
        ? new Map([[row.destination, input.shownAs]])
        : await groupNames(this.db, [row.destination]);
      return { message: toChatMessage(row, receipts, input.sender, names), resent: false };
    }
    const [message] = await present(this.db, [stored], input.sender);
    return { message: message!, resent: true };
  }

  /**
   * One group-commit write; returns, for each item, the row stored under its (sender, clientKey): itself, or the
   * message that was there first. Items sharing a key in this batch (one send arriving through two doors at once)
   * are written once, the first of them.
   */
  private async storeBatch(items: PendingMessage[]): Promise<MessageRow[]> {
    const first = new Map<string, PendingMessage>();
    for (const item of items) if (!first.has(sendKey(item.row))) first.set(sendKey(item.row), item);
    const written = [...first.values()];
    const stored = await this.write(written);
    const byKey = new Map(written.map((item, i) => [sendKey(item.row), stored[i]!]));
    return items.map((item) => byKey.get(sendKey(item.row))!);
  }

  /**
   * Writes new messages with their receipts and moves their conversation rows; returns, for each, the row stored
   * under its (sender, clientKey). A write conflict rolls an insert back, so it is retried; if the batch still fails,
   * the group commit writes each message alone and only the failing one errors.
   *
   * Without a transaction the receipts follow the messages. A message stored without them (this write failed
   * between the two) was not acknowledged; its resend, or this batch written again item by item, finds the message
   * stored and writes its receipts then (`completeReceipts`).
   */
  protected async write(messages: NewMessageRows[]): Promise<MessageRow[]> {
    const rows = messages.map((item) => item.row);
    const stored = await insertMessages(this.db, rows, this.retry);
    const receipts = messages.filter((item) => stored.has(item.row.id)).flatMap((item) => item.receipts);
    await insertReceipts(this.db, receipts, this.retry);
    // The messages are stored and are about to be acknowledged; a conversation row left behind
    // only shows an older last message in the list until the next message of that conversation.
    const conversations = newestPerConversation(
      rows.filter((row) => stored.has(row.id)),
      receipts,
    );
    await advanceConversations(this.db, conversations, this.retry).catch((error) =>
      log.error("conversation list not updated for new messages:", error),
    );
    const result: MessageRow[] = [];
    for (const item of messages) {
      if (stored.has(item.row.id)) {
        result.push(item.row);
        continue;
      }
      const found = await storedUnder(this.db, item.row);
      await this.completeReceipts(
        found,
        item.receipts.map((receipt) => receipt.recipient),
      );
      result.push(found);
    }
    return result;
  }

  /**
   * The receipts of a message stored in an earlier attempt that failed before its receipts were written (that
   * attempt was not acknowledged): written now, for the recipients of this attempt, if it has none.
   */
  private async completeReceipts(stored: MessageRow, recipients: string[]): Promise<void> {
    if (recipients.length === 0) return;
    const any = await this.db.receipt.findFirst({ where: { messageId: stored.id }, select: { id: true } });
    if (any) return;
    await insertReceipts(this.db, receiptsFor(stored, recipients), this.retry);
  }

  // ── delivery and read marks ────────────────────────────────────────────────

  markDelivered(recipient: string, ids: string[], at: Date): Promise<ReceiptChange[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.deliveryWrites.submit({ recipient, ids, at, askedAt: Date.now() }).then((delivered) => {
      this.observer?.messagesDelivered(delivered.length);
      return delivered;
    });
  }

  /** Many recipients' acks in one claim, stamped with one token; each claim hears back what it delivered. */
  private async claimBatch(claims: DeliveryClaim[]): Promise<ReceiptChange[][]> {
    const token = randomUUID();
    const at = new Date(Math.max(...claims.map((claim) => claim.at.getTime())));
    const idsByRecipient = new Map<string, Set<string>>();
    for (const claim of claims) {
      const ids = idsByRecipient.get(claim.recipient) ?? new Set<string>();
      for (const id of claim.ids) ids.add(id);
      idsByRecipient.set(claim.recipient, ids);
    }
    const rows = await this.claim(idsByRecipient, at, token);
    const claimed = new Map<string, ReceiptChange>(); // by recipient NUL messageId
    for (const row of rows)
      claimed.set(`${row.recipient}\u0000${row.messageId}`, receiptChange(row.messageId, row.sender, row.conversation));
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

  /** Marks delivered those of these receipts still undelivered, stamped with `token`, and returns exactly those. */
  protected claim(idsByRecipient: Map<string, Set<string>>, at: Date, token: string): Promise<ClaimedReceipt[]> {
    return claimDeliveries(this.db, this.retry, idsByRecipient, at, token);
  }

  markConversationRead(reader: string, conversation: string, at: Date): Promise<ReceiptChange[]> {
    return markConversationRead(this.db, this.retry, reader, conversation, at);
  }

  // ── reads ──────────────────────────────────────────────────────────────────

  undelivered(recipient: string, options: UndeliveredOptions): Promise<ChatMessage[]> {
    return undelivered(this.db, recipient, options);
  }

  conversation(viewer: string, conversation: string, page: Page): Promise<ChatMessage[] | undefined> {
    return conversationPage(this.db, viewer, conversation, page);
  }

  receipts(messageId: string) {
    return receiptsOf(this.db, messageId);
  }

  conversations(username: string, groups: Set<string> = new Set()): Promise<ConversationSummary[]> {
    return conversationList(this.db, username, groups);
  }
}
