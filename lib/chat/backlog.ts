/**
 * The backlog: what waited in the store for a person while they were away, oldest first. A socket that connects
 * is sent all of it, page by page, each page marked delivered once that socket acknowledges it
 * (server/realtime/backlog.ts); `!check` answers one page at a time, marked delivered at once, with a cursor for
 * the next. Pages keep one answer's size and time bounded: 5,000 waiting messages in one answer were 21 MB and
 * held the process for seconds.
 */
import { ChatError } from "../errors";
import { parsePayload as parse } from "../contract/parse";
import type { ChatMessage, CheckPage } from "../contract/payloads";
import { CHECK_PAGE_SIZE, checkSchema } from "../contract/schemas";
import type { MessageStore } from "../store";
import type { Delivery } from "./delivery";

const BACKLOG_BATCH_SIZE = 500;

export class Backlog {
  constructor(private readonly deps: { messages: MessageStore; delivery: Delivery }) {}

  /** Pages through everything waiting for `username`, oldest first, for delivery on connect. */
  async *pages(username: string): AsyncGenerator<ChatMessage[]> {
    let after: ChatMessage | undefined;
    for (;;) {
      const batch = await this.deps.messages.undelivered(username, { after, limit: BACKLOG_BATCH_SIZE });
      if (batch.length > 0) yield batch;
      if (batch.length < BACKLOG_BATCH_SIZE) return;
      after = batch[batch.length - 1];
    }
  }

  /** `!check`: one page of what `username` has not received yet, now marked delivered, and the next page's cursor. */
  async check(username: string, payload?: unknown): Promise<CheckPage> {
    const { after } = parse(checkSchema, payload);
    const messages = await this.deps.messages.undelivered(username, {
      // The store places `after` by its id and timestamp only, which is all a cursor carries.
      after: after ? (fromCursor(after) as ChatMessage) : undefined,
      limit: CHECK_PAGE_SIZE,
    });
    await this.deps.delivery.acknowledgeDelivered(
      username,
      messages.map((m) => m.id),
    );
    const last = messages.at(-1);
    return {
      messages: messages.map((m) => ({ ...m, stored: true })),
      next: last && messages.length === CHECK_PAGE_SIZE ? toCursor(last) : null,
    };
  }
}

/** A check cursor names the last message of a page by its place in the (timestamp, id) order. */
function toCursor(message: Pick<ChatMessage, "id" | "timestamp">): string {
  return `${Date.parse(message.timestamp)}.${message.id}`;
}

function fromCursor(cursor: string): Pick<ChatMessage, "id" | "timestamp"> {
  const dot = cursor.indexOf(".");
  const timestamp = new Date(Number(cursor.slice(0, dot)));
  if (Number.isNaN(timestamp.getTime())) throw new ChatError(400, "after must be the next cursor of an earlier check");
  return { timestamp: timestamp.toISOString(), id: cursor.slice(dot + 1) };
}
