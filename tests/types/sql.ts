/**
 * Compile-time checks, no test to run: SQL is reachable only through the SQLite client. Compiled
 * by `npm run typecheck` against the SQLite client and by the MongoDB check
 * (scripts/mongodb-offline-check.ts) against the MongoDB client; each `@ts-expect-error` fails
 * the compile if the line below it ever compiles.
 */
import type { Database } from "@/lib/store/database";

export function storesCannotReachSql(db: Database): unknown[] {
  return [
    // @ts-expect-error the stores' client has no SQL
    db.$queryRaw,
    // @ts-expect-error the stores' client has no SQL
    db.$queryRawUnsafe,
    // @ts-expect-error the stores' client has no SQL
    db.$executeRaw,
    // @ts-expect-error the stores' client has no SQL
    db.$executeRawUnsafe,
    // @ts-expect-error nor a transaction, whose client would have it
    db.$transaction,
    // @ts-expect-error nor an extended client, which would have it
    db.$extends,
  ];
}
