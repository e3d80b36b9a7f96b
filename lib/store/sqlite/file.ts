/**
 * The SQLite file as openStore opens it, for either implementation: migrated, Prisma's client connected and tuned,
 * its model calls run through the busy retry (../busy.ts), and WAL checkpoints moved off the event loop
 * (checkpoints.ts). The SQLite implementation also opens connections of its own (writer.ts, reader.ts), before the
 * checkpoints start, so that every connection that writes has its automatic checkpoints turned off.
 */
import { BusyRetry } from "../busy";
import type { Database } from "../database";
import type { DatabaseTarget } from "../database-url";
import { migrateSqlite } from "../migrate";
import { Checkpointer } from "./checkpoints";
import { createSqliteClient, type SqliteClient, tuneSqlite } from "./client";
import { SqliteReader } from "./reader";
import { SqliteWriter } from "./writer";

export interface SqliteFileOptions {
  /** How long a statement that finds the write lock taken is retried before its caller hears "busy". */
  busyTimeoutMs?: number;
  /** The most pages the database may grow to, set on every connection that writes. */
  maxPages?: number;
}

/** What the SQLite stores run their statements on: the writer's and the reader's connections, and the busy retry. */
export interface SqliteConnections {
  writer: SqliteWriter;
  reader: SqliteReader;
  busy: BusyRetry;
}

export class SqliteFile {
  /** Prisma's models, every call run through the busy retry: what the stores use of Prisma on SQLite. */
  readonly models: Database;
  private readonly busy: BusyRetry;
  private connections: SqliteConnections | undefined;
  private checkpointer: Checkpointer | undefined;

  private constructor(
    private readonly target: Extract<DatabaseTarget, { kind: "sqlite" }>,
    private readonly client: SqliteClient,
    private readonly options: SqliteFileOptions,
  ) {
    this.busy = new BusyRetry(options.busyTimeoutMs);
    this.models = this.busy.wrap(client);
  }

  static async open(
    target: Extract<DatabaseTarget, { kind: "sqlite" }>,
    options: SqliteFileOptions,
  ): Promise<SqliteFile> {
    await migrateSqlite(target);
    const client = createSqliteClient(target.file);
    await client.$connect();
    await tuneSqlite(client, { maxPages: options.maxPages });
    return new SqliteFile(target, client, options);
  }

  /** Opens the SQLite implementation's connections (before `startCheckpoints`, which turns the writer's off too). */
  openConnections(): SqliteConnections {
    this.connections = {
      writer: new SqliteWriter(this.target.file, { maxPages: this.options.maxPages }),
      reader: new SqliteReader(this.target.file),
      busy: this.busy,
    };
    return this.connections;
  }

  /** Hands the WAL checkpoints to a worker thread, and turns them off on every connection here that writes. */
  async startCheckpoints(): Promise<void> {
    this.checkpointer = await Checkpointer.start(this.target.file, async (pages) => {
      await this.client.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${pages}`);
      this.connections?.writer.pragma(`wal_autocheckpoint = ${pages}`);
    });
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.connections?.reader.close();
    this.connections?.writer.close();
    await this.client.$disconnect();
  }
}
