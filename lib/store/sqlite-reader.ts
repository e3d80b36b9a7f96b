/**
 * The SQLite read fast paths' own connection (sqlite-history.ts, sqlite-backlog.ts): better-sqlite3 with its
 * statements prepared once, where every Prisma query pays a query-plan compile and a fresh prepare in the adapter
 * (1–3 ms a query, which profiles showed dominating a history page and the backlog on connect).
 *
 * A connection of its own rather than the writer's (sqlite-writer.ts). Both are synchronous on the one event loop, so
 * sharing would cost nothing in concurrency, and WAL lets either read while another connection writes. What decides
 * it: this one is `query_only`, so a read path can never take the write lock, never become the write that another
 * connection finds busy, and never commit — it never runs a WAL checkpoint either, which the checkpointer
 * (sqlite-checkpoints.ts) keeps off the server's writing connections. Its statements also live in a cache of their
 * own, a handful of fixed shapes, which the writer's cache (hundreds of batch sizes, cleared when full) would evict.
 * Each read runs in one read transaction, so the rows and the marks returned with them are one snapshot.
 */
import Database from "better-sqlite3";
import type { Message as MessageRow } from "@prisma/client";
import { isGroup } from "../contract/names";

export class SqliteReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = new Database(file, { fileMustExist: true });
    this.db.pragma("query_only = ON");
    // A reader in WAL mode is not blocked by writers; should SQLite still answer busy (a WAL reset under way), the
    // read fails at once and busy.ts retries it asynchronously rather than waiting on the event loop.
    this.db.pragma("busy_timeout = 0");
  }

  /** The prepared statement for `sql`, prepared on first use; the read paths have a few fixed shapes. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one read transaction: every statement in it sees the same committed state. */
  snapshot<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    this.db.close();
  }
}

/** A Message row exactly as SQLite stores it (see sqlite-insert.ts for the encoding). */
export interface RawMessage {
  id: string;
  sender: string;
  destination: string;
  message: string;
  timestamp: string | number;
  type: string;
  metadata: string | null;
  clientId: string | null;
  clientKey: string;
}

/** A stored date as Prisma reads it: ISO 8601 text (what the adapter writes), or epoch milliseconds. */
export function sqliteDate(value: string | number): Date;
export function sqliteDate(value: string | number | null): Date | null;
export function sqliteDate(value: string | number | null): Date | null {
  return value === null ? null : new Date(value);
}

/** A stored message as Prisma Client returns it: dates as Date, Json parsed. */
export function messageRow(raw: RawMessage): MessageRow {
  return {
    id: raw.id,
    sender: raw.sender,
    destination: raw.destination,
    message: raw.message,
    timestamp: sqliteDate(raw.timestamp),
    type: raw.type,
    metadata: raw.metadata === null ? null : JSON.parse(raw.metadata),
    clientId: raw.clientId,
    clientKey: raw.clientKey,
  };
}

/**
 * `#<group id>` → `#<name>` for the group keys among `keys`, as MessageStore.groupNames gives them: one statement
 * whatever their number (the ids go in as one JSON array).
 */
export function groupNamesSqlite(reader: SqliteReader, keys: Iterable<string>): Map<string, string> {
  const ids = [...new Set([...keys].filter(isGroup).map((key) => key.slice(1)))];
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const rows = reader
    .statement(`SELECT "id", "name" FROM "Group" WHERE "id" IN (SELECT "value" FROM json_each(?))`)
    .all(JSON.stringify(ids)) as { id: string; name: string }[];
  for (const group of rows) names.set(`#${group.id}`, `#${group.name}`);
  return names;
}
