/**
 * The SQLite implementation's own connection for its writes and its small lookups: better-sqlite3 itself rather
 * than Prisma (the message reads have one of their own, reader.ts). Profiling the server under load
 * showed a group commit's statements (thousands of bound values each) spending more time in Prisma's raw-query path
 * — the adapter converting every argument, the query compiler — than in SQLite. The writer runs each write as one
 * synchronous transaction, so it never holds the write lock across an await and Prisma's connection never finds the
 * lock taken by it. When Prisma's connection or another process holds the lock, a write here fails with SQLITE_BUSY
 * at once (busy_timeout 0, as client.ts explains) and is retried asynchronously (../busy.ts), like any write.
 */
import Database from "better-sqlite3";

/** Statements differ by their row count; a few hundred shapes cover every batch size, prepared once each. */
const MAX_CACHED_STATEMENTS = 512;

export class SqliteWriter {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string, options: { maxPages?: number } = {}) {
    this.db = new Database(file, { fileMustExist: true });
    this.db.pragma("busy_timeout = 0");
    this.db.pragma("synchronous = NORMAL");
    // A page cap acts per connection, so it is set on every connection that writes (client.ts).
    if (options.maxPages) this.db.pragma(`max_page_count = ${Math.floor(options.maxPages)}`);
  }

  /** The prepared statement for `sql`, prepared on first use. */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` as one transaction: all of it is committed, or none of it (it threw). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Sets a pragma on this connection (the checkpointer turns automatic checkpoints off and on). */
  pragma(assignment: string): void {
    this.db.pragma(assignment);
  }

  close(): void {
    this.db.close();
  }
}
