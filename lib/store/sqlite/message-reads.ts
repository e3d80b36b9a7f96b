/**
 * A person's backlog and a conversation's pages in SQL, as prepared statements on the reader's connection
 * (reader.ts), where the portable twins (../portable/message-reads.ts) make several Prisma queries each — three a
 * backlog batch, the message lookup in slices of 900 ids; five to six a page — every one compiled and prepared
 * afresh. Each returns exactly what its twin returns, presented by the same toChatMessage; each read is one
 * snapshot of the database.
 */
import type { ChatMessage } from "../../contract/payloads";
import { isGroup } from "../../contract/names";
import { type ReceiptMarks, toChatMessage } from "../chat-message";
import { groupKey } from "../groups";
import type { Page, UndeliveredOptions } from "../messages";
import type { SqliteReader } from "./reader";
import { GROUP, MESSAGE, RECEIPT } from "./tables";

// ── the backlog ────────────────────────────────────────────────────────────

/** The recipient's own receipt, read beside its message's columns under names of its own. */
const OWN_RECEIPT = RECEIPT.pick("recipient", "conversation", "deliveredAt", "readAt").prefixed("receipt.");

/**
 * The cut is taken on the receipts alone, walking (recipient, deliveredAt, timestamp, messageId) from the cursor,
 * before the join, as the twin takes `limit` receipts and then looks their messages up. "After" is written as the
 * twin writes it (receiptLaterThan): a range on the timestamp minus the ties at its edge.
 */
const batch = (cursor: boolean) => `
  SELECT ${OWN_RECEIPT.select("r")}, ${MESSAGE.select("m")}
  FROM (
    SELECT "messageId", "recipient", "conversation", "deliveredAt", "readAt", "timestamp" FROM "Receipt"
    WHERE "recipient" = :recipient AND "deliveredAt" IS NULL
      ${cursor ? `AND "timestamp" >= :timestamp AND NOT ("timestamp" = :timestamp AND "messageId" <= :after)` : ""}
    ORDER BY "timestamp", "messageId" LIMIT :limit
  ) AS r JOIN "Message" AS m ON m."id" = r."messageId"
  ORDER BY r."timestamp", r."messageId"`;

/**
 * Messages still waiting for `recipient`, oldest first, resuming after the message `after`: the recipient's receipts
 * in (timestamp, messageId) order after the cursor, cut at `limit`, those whose message is stored, each presented
 * with that one receipt.
 */
export function undelivered(
  reader: SqliteReader,
  recipient: string,
  { after, limit }: UndeliveredOptions,
): ChatMessage[] {
  return reader.snapshot(() => {
    const raw = after
      ? reader.statement(batch(true)).all({
          recipient,
          limit,
          after: after.id,
          // The cursor's time as the adapter binds a Date, which is how it is stored.
          timestamp: RECEIPT.encode("timestamp", new Date(after.timestamp)),
        })
      : reader.statement(batch(false)).all({ recipient, limit });
    if (raw.length === 0) return [];
    const rows = raw.map((row) => ({ receipt: OWN_RECEIPT.decode(row), message: MESSAGE.decode(row) }));
    const names = groupNames(
      reader,
      rows.map(({ receipt }) => receipt.conversation),
    );
    return rows.map(({ receipt, message }) => toChatMessage(message, [receipt], recipient, names));
  });
}

// ── a conversation's pages ─────────────────────────────────────────────────

/** The cursor message, and the conversation the viewer received it in (none: they have no receipt for it). */
const CURSOR_MESSAGE = MESSAGE.pick("sender", "destination", "timestamp");
const CURSOR = `
  SELECT ${CURSOR_MESSAGE.select("m")}, r."conversation" AS "receivedIn"
  FROM "Message" AS m LEFT JOIN "Receipt" AS r ON r."messageId" = m."id" AND r."recipient" = :viewer
  WHERE m."id" = :before`;

/**
 * Strictly before the cursor in (timestamp, id) order, written as the portable twin writes it (earlierThan): a range
 * on the timestamp that the index walks, minus the ties at its edge.
 */
const earlier = (id: string) => `AND "timestamp" <= :timestamp AND NOT ("timestamp" = :timestamp AND ${id} >= :before)`;

/**
 * The page's ids, newest first. Each side is its own subquery with its own LIMIT, walking its covering index
 * backwards (Message: sender, destination, timestamp, id; Receipt: recipient, conversation, timestamp, messageId);
 * a received message is ordered by its Message row, as the twin orders the rows it read by id, and a receipt whose
 * message is not there drops out after the cut, as there. UNION ALL keeps a message that is on both sides twice, as
 * the twin's concatenation does. Then merged newest first in (timestamp, id) order, cut again, and returned oldest
 * first.
 */
const page = (cursor: boolean) => `
  WITH "page" AS (
    SELECT "id", "timestamp" FROM (
      SELECT "id", "timestamp" FROM "Message"
      WHERE "sender" = :viewer AND "destination" = :conversation ${cursor ? earlier(`"id"`) : ""}
      ORDER BY "timestamp" DESC, "id" DESC LIMIT :limit
    )
    UNION ALL
    SELECT "id", "timestamp" FROM (
      SELECT m."id", m."timestamp" FROM (
        SELECT "messageId" FROM "Receipt"
        WHERE "recipient" = :viewer AND "conversation" = :conversation ${cursor ? earlier(`"messageId"`) : ""}
        ORDER BY "timestamp" DESC, "messageId" DESC LIMIT :limit
      ) AS r JOIN "Message" AS m ON m."id" = r."messageId"
    )
    ORDER BY "timestamp" DESC, "id" DESC LIMIT :limit
  )
  SELECT ${MESSAGE.select("m")}
  FROM "page" JOIN "Message" AS m ON m."id" = "page"."id"
  ORDER BY "page"."timestamp", "page"."id"`;

/** Every receipt of the page's messages (the ids as one JSON array): the marks, and a group's summary. */
const MARKS = RECEIPT.pick("messageId", "recipient", "deliveredAt", "readAt");
const RECEIPTS = `SELECT ${MARKS.select()} FROM "Receipt" WHERE "messageId" IN (SELECT "value" FROM json_each(?))`;

/**
 * One page of `conversation` as `viewer` sees it, oldest first, ending before the message `page.before`; undefined
 * when that is not a message the viewer sent to or received in this conversation.
 */
export function conversationPage(
  reader: SqliteReader,
  viewer: string,
  conversation: string,
  { before, limit }: Page,
): ChatMessage[] | undefined {
  return reader.snapshot(() => {
    let timestamp: string | undefined;
    // Truthiness, as the twin tests it: an empty cursor is no cursor.
    if (before) {
      const found = reader.statement(CURSOR).get({ viewer, before }) as { receivedIn: string | null } | undefined;
      if (!found) return undefined;
      const cursor = CURSOR_MESSAGE.decode(found);
      // As the twin's isIn: the viewer's own message counts where they sent it, anyone else's where they received it.
      const isIn = cursor.sender === viewer ? cursor.destination === conversation : found.receivedIn === conversation;
      if (!isIn) return undefined;
      // Bound as the adapter binds the Date the twin read back, so both compare against the same text.
      timestamp = MESSAGE.encode("timestamp", cursor.timestamp) as string;
    }
    const rows = (
      timestamp !== undefined
        ? reader.statement(page(true)).all({ viewer, conversation, limit, before, timestamp })
        : reader.statement(page(false)).all({ viewer, conversation, limit })
    ).map((row) => MESSAGE.decode(row));
    if (rows.length === 0) return [];
    const receipts = new Map<string, ReceiptMarks[]>();
    for (const raw of reader.statement(RECEIPTS).all(JSON.stringify(rows.map((row) => row.id)))) {
      const { messageId, ...marks } = MARKS.decode(raw);
      const list = receipts.get(messageId) ?? [];
      list.push(marks);
      receipts.set(messageId, list);
    }
    const names = groupNames(
      reader,
      rows.map((row) => row.destination),
    );
    return rows.map((row) => toChatMessage(row, receipts.get(row.id) ?? [], viewer, names));
  });
}

// ── group names ────────────────────────────────────────────────────────────

const NAMED = GROUP.pick("id", "name");
const GROUP_NAMES = `SELECT ${NAMED.select()} FROM "Group" WHERE "id" IN (SELECT "value" FROM json_each(?))`;

/**
 * `#<group id>` → `#<name>` for the group keys among `keys`, as the twin's groupNames gives them: one statement
 * whatever their number (the ids go in as one JSON array).
 */
function groupNames(reader: SqliteReader, keys: string[]): Map<string, string> {
  const ids = [...new Set(keys.filter(isGroup).map((key) => key.slice(1)))];
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  for (const raw of reader.statement(GROUP_NAMES).all(JSON.stringify(ids))) {
    const group = NAMED.decode(raw);
    names.set(groupKey(group), `#${group.name}`);
  }
  return names;
}
