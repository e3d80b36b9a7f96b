/**
 * The SQLite client: Prisma's JS engine over better-sqlite3, no native Prisma engine. Its type has
 * everything, SQL included, and only the SQLite-only code is handed it: the tuning below and the
 * checkpoint switch (file.ts). The stores get it as a `Database`, which has no SQL; the SQLite
 * implementation's statements run on connections of their own (writer.ts, reader.ts).
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";

export type SqliteClient = PrismaClient;

export function createSqliteClient(file: string): SqliteClient {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
}

/**
 * WAL lets readers (history pages) run beside the writer; synchronous=NORMAL in WAL mode still
 * survives a process crash, and only the last transactions can be lost on power failure.
 * busy_timeout 0: better-sqlite3 would wait for another connection's write lock on the event loop,
 * freezing the whole server, so a busy statement fails at once and is retried asynchronously (../busy.ts).
 * max_page_count (STORE_MAX_PAGES, off by default): the most pages the database may grow to on this
 * connection; a write that needs more fails with SQLITE_FULL, as on a full disk, and is refused with a
 * clear 507 (../busy.ts). SQLite never lowers it below the database's current size.
 */
export async function tuneSqlite(db: SqliteClient, options: { maxPages?: number } = {}): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 0");
  if (options.maxPages) await db.$queryRawUnsafe(`PRAGMA max_page_count = ${Math.floor(options.maxPages)}`);
}
