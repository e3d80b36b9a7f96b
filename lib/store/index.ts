/**
 * Opening the store: one interface per kind of data (messages.ts, accounts.ts, groups.ts, devices.ts,
 * throttles.ts) and two implementations of each, picked here once. The portable one (portable/) is Prisma Client
 * calls only: what MongoDB runs. The SQLite one (sqlite/) is the portable one with prepared better-sqlite3 statements
 * on connections of its own where Prisma was too slow; `portable: true` runs the portable one on SQLite too, which
 * is how the test suites hold the two to the same answers.
 */
import type { Database } from "./database";
import { parseDatabaseUrl, type DatabaseTarget } from "./database-url";
import type { AccountStore } from "./accounts";
import type { DeviceStore } from "./devices";
import type { GroupStore } from "./groups";
import type { MessageStore } from "./messages";
import type { StoreObserver } from "./observer";
import { PortableAccountStore } from "./portable/accounts";
import { PortableDeviceStore } from "./portable/devices";
import { PortableGroupStore } from "./portable/groups";
import { PortableMessageStore } from "./portable/messages";
import { connectMongo, createMongoClient } from "./portable/mongodb-client";
import { assertMongoIndexes } from "./portable/mongodb-indexes";
import { PortableThrottleStore } from "./portable/throttles";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import { SqliteAccountStore } from "./sqlite/accounts";
import { SqliteDeviceStore } from "./sqlite/devices";
import { type SqliteConnections, SqliteFile } from "./sqlite/file";
import { SqliteGroupStore } from "./sqlite/groups";
import { SqliteMessageStore } from "./sqlite/messages";
import { SqliteThrottleStore } from "./sqlite/throttles";
import type { ThrottleStore } from "./throttles";

export type { AccountStore, StoredUser } from "./accounts";
export type { MessageStore, NewMessage, ReceiptChange } from "./messages";
export { toChatMessage } from "./chat-message";
export { groupKey, type GroupRow, type GroupStore, type MemberRow } from "./groups";
export type { DeviceStore, Reading, ReadingStats } from "./devices";
export type { ThrottleDecision, ThrottleState, ThrottleStore } from "./throttles";
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

/** One store per kind of data. */
interface Stores {
  accounts: AccountStore;
  messages: MessageStore;
  groups: GroupStore;
  devices: DeviceStore;
  throttles: ThrottleStore;
}

/**
 * The database, opened. On MongoDB that is one Prisma client. On SQLite it is Prisma's connection to the file and,
 * for the SQLite implementation, better-sqlite3's writer and reader beside it, with a worker thread and a connection
 * of its own running the WAL checkpoints.
 */
export interface OpenStore extends Stores {
  target: DatabaseTarget;
  /** One cheap query: resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /**
   * Run the portable implementation — exactly what MongoDB runs — even on SQLite, where the store otherwise runs
   * its SQLite statements. The test suites run both ways.
   */
  portable?: boolean;
  /** How writes that lose a write conflict are retried. */
  retry?: RetryPolicy;
  /**
   * SQLite: how long a statement that finds another connection's write lock is retried (asynchronously)
   * before its caller hears "the store is busy: try again". STORE_BUSY_TIMEOUT_MS; default 5 s.
   */
  busyTimeoutMs?: number;
  /**
   * SQLite: the most 4 KiB pages the database may grow to (STORE_MAX_PAGES); beyond it writes get 507. Unset: the
   * disk's room.
   */
  maxPages?: number;
  /** Wraps the Prisma client the stores use: a seam for tracing, and for tests that inject failures. */
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
    const file = await SqliteFile.open(target, options);
    const db = wrap(file.models);
    const stores = options.portable
      ? portableStores(db, retry, options.observer)
      : sqliteStores(db, retry, options.observer, file.openConnections());
    await file.startCheckpoints();
    return { ...stores, target, ping: () => ping(db), close: () => file.close() };
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
    ...portableStores(db, retry, options.observer),
    target,
    ping: () => ping(db),
    close: () => client.$disconnect(),
  };
}

function portableStores(db: Database, retry: RetryPolicy, observer: StoreObserver | undefined): Stores {
  return {
    accounts: new PortableAccountStore(db, retry),
    messages: new PortableMessageStore(db, retry, observer),
    groups: new PortableGroupStore(db, retry),
    devices: new PortableDeviceStore(db, retry),
    throttles: new PortableThrottleStore(db, retry),
  };
}

function sqliteStores(
  db: Database,
  retry: RetryPolicy,
  observer: StoreObserver | undefined,
  sqlite: SqliteConnections,
): Stores {
  return {
    accounts: new SqliteAccountStore(db, retry, sqlite),
    messages: new SqliteMessageStore(db, retry, observer, sqlite),
    groups: new SqliteGroupStore(db, retry, sqlite),
    devices: new SqliteDeviceStore(db, retry, sqlite),
    throttles: new SqliteThrottleStore(db, retry, sqlite),
  };
}

/** The cheapest question that proves the database answers (readiness). */
async function ping(db: Database): Promise<void> {
  await db.user.findFirst({ select: { id: true } });
}
