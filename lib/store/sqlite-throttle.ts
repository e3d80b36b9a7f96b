/**
 * SQLite: the attempt counters of logins and sign-ups (throttle-store.ts), each reservation one synchronous
 * transaction on the fast paths' connection: read the row, ask the caller's rule, write its decision. Nothing else
 * in this process runs between those statements, and another process that wrote meanwhile makes the write fail busy
 * (the whole reservation is then tried again, busy.ts), so it is as atomic as the portable compare-and-set loop.
 * Through Prisma a login's counters were most of its queries, each paying a query-plan compile: the cost of the
 * logins a flood gets past the per-address budget. The portable twin is ThrottleStore's Prisma code.
 */
import { sqliteDateTime } from "./sqlite-insert";
import { sqliteDate } from "./sqlite-reader";
import type { SqliteWriter } from "./sqlite-writer";
import { type ThrottleFastPaths, type ThrottleState, UNTOUCHED } from "./throttle-store";

const READ = `SELECT "attempts", "until", "expiresAt" FROM "Throttle" WHERE "key" = ?`;

const WRITE = `
  INSERT INTO "Throttle" ("id", "key", "attempts", "until", "expiresAt")
  VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?)
  ON CONFLICT ("key") DO UPDATE SET
    "attempts" = excluded."attempts", "until" = excluded."until", "expiresAt" = excluded."expiresAt"`;

const CLEAR = `DELETE FROM "Throttle" WHERE "key" = ?`;

export function throttleFastPaths(writer: SqliteWriter): ThrottleFastPaths {
  const state = (key: string, now: Date): ThrottleState => {
    const row = writer.statement(READ).get(key) as
      | { attempts: number; until: string | number | null; expiresAt: string | number }
      | undefined;
    if (!row || sqliteDate(row.expiresAt) <= now) return UNTOUCHED;
    return { attempts: row.attempts, until: sqliteDate(row.until) };
  };
  return {
    state,
    reserve: (key, now, decide) =>
      writer.transaction(() => {
        const decision = decide(state(key, now));
        if (decision.allow) {
          const { attempts, until } = decision.next;
          writer
            .statement(WRITE)
            .run(key, attempts, until && sqliteDateTime(until), sqliteDateTime(decision.expiresAt));
        }
        return decision;
      }),
    clear: (key) => {
      writer.statement(CLEAR).run(key);
    },
  };
}
