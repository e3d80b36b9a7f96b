import { AccountStore } from "./account-store";
import { BusyRetry } from "./busy";
import type { Database } from "./database";
import { parseDatabaseUrl, type DatabaseTarget } from "./database-url";
import { DeviceStore } from "./device-store";
import { withBusyRetry } from "./fast-paths";
import { GroupStore } from "./group-store";
import { type MessageFastPaths, MessageStore } from "./message-store";
import { migrateSqlite } from "./migrate";
import { connectMongo, createMongoClient } from "./mongodb-client";
import { assertMongoIndexes } from "./mongodb-indexes";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import { createSqliteClient, tuneSqlite } from "./sqlite-client";
import { Checkpointer } from "./sqlite-checkpoints";
import { undeliveredSqlite } from "./sqlite-backlog";
import { claimDeliveriesSqlite } from "./sqlite-claims";
import { accountFastPaths, deviceFastPaths, groupFastPaths } from "./sqlite-lookups";
import { conversationPageSqlite } from "./sqlite-history";
import { storeMessagesSqlite } from "./sqlite-insert";
import { throttleFastPaths } from "./sqlite-throttle";
import { SqliteReader } from "./sqlite-reader";
import { SqliteWriter } from "./sqlite-writer";
import type { StoreObserver } from "./observer";
import { ThrottleStore } from "./throttle-store";

export { AccountStore, type StoredUser } from "./account-store";
export { MessageStore, toChatMessage, type NewMessage, type ReceiptChange } from "./message-store";
export { GroupStore, groupKey, type GroupRow, type MemberRow } from "./group-store";
export { DeviceStore, type Reading, type ReadingStats } from "./device-store";
export { ThrottleStore } from "./throttle-store";
export { parseDatabaseUrl, type DatabaseTarget } from "./database-url";
export type { Database } from "./database";
export type { RetryPolicy } from "./retry";
export type { StoreObserver } from "./observer";
export {
  DEFAULT_STORE_BUSY_TIMEOUT_MS,
  isStoreBusy,
  isStoreFull,
  STORE_FULL_MESSAGE,
} from "./busy";

/**
 * The database, opened: one store per kind of data. On MongoDB that is one Prisma client. On SQLite it is three
 * connections to the file — Prisma's, and better-sqlite3's writer and reader of the SQLite statements — and a
 * worker thread with a fourth that runs the WAL checkpoints.
 */
export interface OpenStore {
  accounts: AccountStore;
  messages: MessageStore;
  groups: GroupStore;
  devices: DeviceStore;
  throttles: ThrottleStore;
  target: DatabaseTarget;
  /** One cheap query: resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /**
   * Run only the portable Prisma Client code — exactly what MongoDB runs — even on SQLite, where
   * the store otherwise writes new messages with SQL. The test suites run both ways.
   */
  portable?: boolean;
  /** How writes that lose a write conflict are retried. */
  retry?: RetryPolicy;
  /**
   * SQLite: how long a statement that finds another connection's write lock is retried (asynchronously)
   * before its caller hears "the store is busy: try again". STORE_BUSY_TIMEOUT_MS; default 5 s.
   */
  busyTimeoutMs?: number;
  /** SQLite: the most 4 KiB pages the database may grow to (STORE_MAX_PAGES); beyond it writes get 507. Unset: the disk's room. */
  maxPages?: number;
  /** Wraps the client the stores use: a seam for tracing, and for tests that inject failures. */
  wrap?: (db: Database) => Database;
  /** Told about the message store's writes (the server's metrics). */
  observer?: StoreObserver;
}

/** Opens the database named by DATABASE_URL (embedded SQLite when unset), ready for use. */
export async function openStore(databaseUrl: string | undefined, options: StoreOptions = {}): Promise<OpenStore> {
  const target = parseDatabaseUrl(databaseUrl);
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const wrap = options.wrap ?? ((db: Database) => db);
  if (target.kind === "sqlite") {
    await migrateSqlite(target);
    const client = createSqliteClient(target.file);
    await client.$connect();
    await tuneSqlite(client, { maxPages: options.maxPages });
    const writer = new SqliteWriter(target.file, { maxPages: options.maxPages });
    // The read fast paths' connection (sqlite-reader.ts says why it is not the writer's); none in portable mode.
    const reader = options.portable ? undefined : new SqliteReader(target.file);
    const checkpointer = await Checkpointer.start(target.file, async (pages) => {
      await client.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${pages}`);
      writer.pragma(`wal_autocheckpoint = ${pages}`);
    });
    const busy = new BusyRetry(options.busyTimeoutMs);
    const db = wrap(busy.wrap(client));
    const fast = <Paths>(paths: (writer: SqliteWriter) => Paths) =>
      reader ? withBusyRetry(paths(writer), busy) : undefined;
    const messagePaths = reader && withBusyRetry(messageFastPaths(writer, reader), busy);
    return {
      accounts: new AccountStore(db, retry, fast(accountFastPaths)),
      messages: new MessageStore(db, { fastPaths: messagePaths, retry, observer: options.observer }),
      groups: new GroupStore(db, retry, fast(groupFastPaths)),
      devices: new DeviceStore(db, retry, fast(deviceFastPaths)),
      throttles: new ThrottleStore(db, retry, fast(throttleFastPaths)),
      target,
      ping: () => ping(db),
      close: async () => {
        await checkpointer?.stop();
        reader?.close();
        writer.close();
        await client.$disconnect();
      },
    };
  }
  const client = createMongoClient(target.url);
  await connectMongo(client);
  try {
    await assertMongoIndexes(client);
  } catch (error) {
    await client.$disconnect();
    throw error;
  }
  const db = wrap(client);
  return {
    accounts: new AccountStore(db, retry),
    messages: new MessageStore(db, { retry, observer: options.observer }),
    groups: new GroupStore(db, retry),
    devices: new DeviceStore(db, retry),
    throttles: new ThrottleStore(db, retry),
    target,
    ping: () => ping(db),
    close: () => client.$disconnect(),
  };
}

/** The cheapest question that proves the database answers (readiness). */
async function ping(db: Database): Promise<void> {
  await db.user.findFirst({ select: { id: true } });
}

/** The message store's SQLite fast paths: its writes on the writer's connection, its reads on the reader's. */
function messageFastPaths(writer: SqliteWriter, reader: SqliteReader): MessageFastPaths {
  return {
    storeMessages: (rows, receipts) => storeMessagesSqlite(writer, rows, receipts),
    claimDeliveries: (acked, at, token) => claimDeliveriesSqlite(writer, acked, at, token),
    undelivered: (recipient, page) => undeliveredSqlite(reader, recipient, page),
    conversationPage: (viewer, conversation, page) => conversationPageSqlite(reader, viewer, conversation, page),
  };
}
