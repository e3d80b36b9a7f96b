/**
 * The message store on SQLite: the portable implementation (../portable/messages.ts) — its group commits, its read
 * marks, its conversation list — with the writes of a batch, the delivery claims, the backlog and the pages as
 * statements of its own: writes on the writer's connection (message-writes.ts, receipt-marks.ts), reads on the
 * reader's (message-reads.ts). Each statement runs inside the busy retry, exactly as the store's Prisma calls do.
 * A batch's messages, receipts and conversation rows are one transaction, so no message is ever stored without its
 * receipts and nothing needs the portable implementation's repair of them.
 */
import type { Message as MessageRow } from "@prisma/client";
import type { ChatMessage } from "../../contract/payloads";
import type { Database } from "../database";
import type { Page, UndeliveredOptions } from "../messages";
import type { NewMessageRows } from "../new-message";
import type { StoreObserver } from "../observer";
import { storedUnder } from "../portable/message-reads";
import { PortableMessageStore } from "../portable/messages";
import type { ClaimedReceipt } from "../portable/receipt-marks";
import type { RetryPolicy } from "../retry";
import type { SqliteConnections } from "./file";
import { conversationPage, undelivered } from "./message-reads";
import { storeMessages } from "./message-writes";
import { claimDeliveries } from "./receipt-marks";

export class SqliteMessageStore extends PortableMessageStore {
  constructor(
    db: Database,
    retry: RetryPolicy,
    observer: StoreObserver | undefined,
    private readonly sqlite: SqliteConnections,
  ) {
    super(db, retry, observer);
  }

  /** One transaction; a message refused as a resend is answered with the one stored under its key. */
  protected override async write(messages: NewMessageRows[]): Promise<MessageRow[]> {
    const rows = messages.map((item) => item.row);
    const receipts = messages.flatMap((item) => item.receipts);
    const stored = await this.sqlite.busy.run(async () => storeMessages(this.sqlite.writer, rows, receipts));
    const result: MessageRow[] = [];
    for (const row of rows) result.push(stored.has(row.id) ? row : await storedUnder(this.db, row));
    return result;
  }

  protected override claim(
    idsByRecipient: Map<string, Set<string>>,
    at: Date,
    token: string,
  ): Promise<ClaimedReceipt[]> {
    return this.sqlite.busy.run(async () => claimDeliveries(this.sqlite.writer, idsByRecipient, at, token));
  }

  override undelivered(recipient: string, options: UndeliveredOptions): Promise<ChatMessage[]> {
    return this.sqlite.busy.run(async () => undelivered(this.sqlite.reader, recipient, options));
  }

  override conversation(viewer: string, conversation: string, page: Page): Promise<ChatMessage[] | undefined> {
    return this.sqlite.busy.run(async () => conversationPage(this.sqlite.reader, viewer, conversation, page));
  }
}
