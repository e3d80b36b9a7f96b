/**
 * The throttle store on SQLite: the attempt counters of logins and sign-ups, each reservation one synchronous
 * transaction on the writer's connection (writer.ts): read the row, ask the caller's rule, write its decision.
 * Nothing else in this process runs between those statements, and another process that wrote meanwhile makes the
 * write fail busy (the whole reservation is then tried again, ../busy.ts), so it is as atomic as the portable
 * compare-and-set loop (../portable/throttles.ts), which this extends for pruning. Through Prisma a login's counters
 * were most of its queries, each paying a query-plan compile: the cost of the logins a flood gets past the
 * per-address budget.
 */
import type { Database } from "../database";
import { PortableThrottleStore } from "../portable/throttles";
import type { RetryPolicy } from "../retry";
import { type ThrottleDecision, type ThrottleState, UNTOUCHED } from "../throttles";
import type { SqliteConnections } from "./file";
import { THROTTLE } from "./tables";

const COUNTER = THROTTLE.pick("attempts", "until", "expiresAt");
const READ = `SELECT ${COUNTER.select()} FROM "Throttle" WHERE "key" = ?`;

const WRITTEN = THROTTLE.pick("key", "attempts", "until", "expiresAt");
const WRITE = `
  INSERT INTO "Throttle" ("id", ${WRITTEN.columnList})
  VALUES (lower(hex(randomblob(16))), ${WRITTEN.parameters})
  ON CONFLICT ("key") DO UPDATE SET
    "attempts" = excluded."attempts", "until" = excluded."until", "expiresAt" = excluded."expiresAt"`;

const CLEAR = `DELETE FROM "Throttle" WHERE "key" = ?`;

export class SqliteThrottleStore extends PortableThrottleStore {
  constructor(
    db: Database,
    retry: RetryPolicy,
    private readonly sqlite: SqliteConnections,
  ) {
    super(db, retry);
  }

  override state(key: string, now: Date): Promise<ThrottleState> {
    return this.sqlite.busy.run(async () => this.read(key, now));
  }

  override reserve(
    key: string,
    now: Date,
    decide: (state: ThrottleState) => ThrottleDecision,
  ): Promise<ThrottleDecision> {
    const { writer } = this.sqlite;
    return this.sqlite.busy.run(async () =>
      writer.transaction(() => {
        const decision = decide(this.read(key, now));
        if (decision.allow) {
          const { attempts, until } = decision.next;
          writer.statement(WRITE).run(...WRITTEN.values([{ key, attempts, until, expiresAt: decision.expiresAt }]));
        }
        return decision;
      }),
    );
  }

  override clear(key: string): Promise<void> {
    return this.sqlite.busy.run(async () => {
      this.sqlite.writer.statement(CLEAR).run(key);
    });
  }

  /** The counter as it stands, read on the writer's connection (inside a reservation's transaction, there). */
  private read(key: string, now: Date): ThrottleState {
    const raw = this.sqlite.writer.statement(READ).get(key);
    if (!raw) return UNTOUCHED;
    const row = COUNTER.decode(raw);
    return row.expiresAt <= now ? UNTOUCHED : { attempts: row.attempts, until: row.until };
  }
}
