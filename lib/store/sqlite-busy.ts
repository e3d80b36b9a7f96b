/**
 * Several processes writing one SQLite file. A single statement waits for the others' writes (busy_timeout), but a
 * transaction that read first and then writes cannot wait: if another process wrote meanwhile, SQLite refuses it at
 * once (SQLITE_BUSY_SNAPSHOT, "database is locked") and rolls it back. Prisma runs some operations that way (an
 * upsert reads, then inserts). Nothing was written, so the operation is simply run again, a few times, after a
 * short random pause; a person never sees the refusal. One process alone never meets it, and pays nothing for this
 * but a check of each operation's outcome.
 */
import type { PrismaClient } from "@prisma/client";

const ATTEMPTS = 6;

export function isSqliteBusy(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (typeof code === "string" && code.startsWith("SQLITE_BUSY")) ||
    (typeof message === "string" && message.includes("database is locked"))
  );
}

export function retryWhenBusy(client: PrismaClient): PrismaClient {
  return client.$extends({
    query: {
      async $allOperations({ args, query }) {
        for (let attempt = 1; ; attempt++) {
          try {
            return await query(args);
          } catch (error) {
            if (attempt >= ATTEMPTS || !isSqliteBusy(error)) throw error;
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
          }
        }
      },
    },
  }) as unknown as PrismaClient;
}
