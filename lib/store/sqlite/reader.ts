/**
 * The connection of the SQLite implementation's message reads (message-reads.ts): better-sqlite3 with its
 * statements prepared once, where every Prisma query pays a query-plan compile and a fresh prepare in the adapter
 * (1–3 ms a query, which profiles showed dominating a history page and the backlog on connect).
 *
 * A connection of its own rather than the writer's (writer.ts). Both are synchronous on the one event loop, so
 * sharing would cost nothing in concurrency, and WAL lets either read while another connection writes. What decides
 * it: this one is `query_only`, so a read path can never take the write lock, never become the write that another
 * connection finds busy, and never commit — it never runs a WAL checkpoint either, which the checkpointer
 * (checkpoints.ts) keeps off the server's writing connections. Its statements also live in a cache of their
 * own, a handful of fixed shapes, which the writer's cache (hundreds of batch sizes, cleared when full) would evict.
 * Each read runs in one read transaction, so the rows and the marks returned with them are one snapshot.
 */
import Database from "better-sqlite3";

export class SqliteReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = new Database(file, { fileMustExist: true });
    this.db.pragma("query_only = ON");
    // A reader in WAL mode is not blocked by writers; should SQLite still answer busy (a WAL reset under way), the
    // read fails at once and ../busy.ts retries it asynchronously rather than waiting on the event loop.
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
