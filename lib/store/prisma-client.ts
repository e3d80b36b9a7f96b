/**
 * One Prisma Client per process for the configured database, as the stores see it (`Database`:
 * the models, no SQL). openStore (index.ts) builds its clients itself, to tune the SQLite client and
 * open the SQLite implementation's own connections beside it; this is for scripts that only need the
 * models (bench/support/seed.ts, scripts/rebuild-conversations.ts).
 */
import type { DatabaseTarget } from "./database-url";
import type { Database } from "./database";
import { createMongoClient } from "./portable/mongodb-client";
import { createSqliteClient } from "./sqlite/client";

export type { Database } from "./database";

export function createPrismaClient(target: DatabaseTarget): Database {
  return target.kind === "sqlite" ? createSqliteClient(target.file) : createMongoClient(target.url);
}
