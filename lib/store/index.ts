import { parseDatabaseUrl, type DatabaseTarget } from "./database-url";
import { DeviceStore } from "./device-store";
import { AccountStore } from "./account-store";
import { MessageStore } from "./message-store";
import { createPrismaClient, type Database } from "./prisma-client";
import { migrateSqlite } from "./migrate";

export { AccountStore, type StoredUser } from "./account-store";
export { MessageStore, toChatMessage, type NewMessage } from "./message-store";
export { DeviceStore, type Reading, type ReadingStats } from "./device-store";
export { parseDatabaseUrl, type DatabaseTarget } from "./database-url";

/** The database, opened: one store per kind of data, all on one connection. */
export interface OpenStore {
  accounts: AccountStore;
  messages: MessageStore;
  devices: DeviceStore;
  target: DatabaseTarget;
  /** One cheap query: resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the database named by DATABASE_URL (embedded SQLite when unset), ready for use. */
export async function openStore(databaseUrl: string | undefined): Promise<OpenStore> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === "sqlite") await migrateSqlite(target);
  const db = createPrismaClient(target);
  await db.$connect();
  if (target.kind === "sqlite") await tuneSqlite(db);
  return {
    accounts: new AccountStore(db),
    messages: new MessageStore(db, target.kind),
    devices: new DeviceStore(db),
    target,
    ping: async () => {
      await db.user.findFirst({ select: { id: true } });
    },
    close: () => db.$disconnect(),
  };
}

/**
 * WAL lets readers (history pages) run beside the writer; synchronous=NORMAL in WAL mode still
 * survives a process crash, and only the last transactions can be lost on power failure.
 */
async function tuneSqlite(db: Database): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
}
