/**
 * The throttle store (../throttles.ts) in Prisma Client calls, exactly what MongoDB runs: counters changed only by
 * compare-and-set. A reservation reads the row, decides, and writes its decision only if the row is still what it
 * read — otherwise it reads again; a single-row conditional update is atomic on SQLite and on MongoDB alike. The
 * SQLite implementation (../sqlite/throttles.ts) extends it, each reservation one synchronous transaction instead.
 */
import { busyError } from "../../errors";
import type { Database } from "../database";
import { DEFAULT_RETRY_POLICY, isUniqueViolation, isWriteConflict, type RetryPolicy, retryOnConflict } from "../retry";
import { type ThrottleDecision, type ThrottleState, type ThrottleStore, UNTOUCHED } from "../throttles";

/**
 * How many times a reservation reads again after losing its compare-and-set before it gives up. Each lost
 * round means another attempt on the same key was counted, so a few hundred racing attempts end long before.
 */
const MAX_ROUNDS = 200;

export class PortableThrottleStore implements ThrottleStore {
  constructor(
    private readonly db: Database,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  async state(key: string, now: Date): Promise<ThrottleState> {
    const row = await this.db.throttle.findUnique({ where: { key } });
    return row && row.expiresAt > now ? { attempts: row.attempts, until: row.until } : UNTOUCHED;
  }

  async reserve(key: string, now: Date, decide: (state: ThrottleState) => ThrottleDecision): Promise<ThrottleDecision> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const row = await this.db.throttle.findUnique({ where: { key } });
      const decision = decide(row && row.expiresAt > now ? { attempts: row.attempts, until: row.until } : UNTOUCHED);
      if (!decision.allow) return decision;
      const data = { attempts: decision.next.attempts, until: decision.next.until, expiresAt: decision.expiresAt };
      if (!row) {
        try {
          await retryOnConflict(() => this.db.throttle.create({ data: { key, ...data } }), this.retry);
          return decision;
        } catch (error) {
          // Another attempt created the row first (or won the conflict): decide again on what it wrote.
          if (isUniqueViolation(error) || isWriteConflict(error)) continue;
          throw error;
        }
      }
      const { count } = await retryOnConflict(
        () =>
          this.db.throttle.updateMany({
            where: { key, attempts: row.attempts, until: row.until, expiresAt: row.expiresAt },
            data,
          }),
        this.retry,
      );
      if (count === 1) return decision;
    }
    throw busyError("server");
  }

  async clear(key: string): Promise<void> {
    await retryOnConflict(() => this.db.throttle.deleteMany({ where: { key } }), this.retry);
  }

  async prune(now: Date): Promise<number> {
    const { count } = await retryOnConflict(
      () => this.db.throttle.deleteMany({ where: { expiresAt: { lte: now } } }),
      this.retry,
    );
    return count;
  }
}
