/**
 * Attempt counters under a key (a Throttle row each), changed only by compare-and-set: a reservation reads the
 * row, decides, and writes its decision only if the row is still what it read — otherwise it reads again. Two
 * logins racing for the last free attempt therefore cannot both get it, on one instance or several (a
 * single-row conditional update is atomic on SQLite and on MongoDB alike). What the counts mean is the caller's
 * business (lib/login-throttle.ts). Written against Prisma Client like the other stores; on SQLite the counters
 * run as one synchronous transaction each instead (sqlite-throttle.ts).
 */
import { busyError } from "../errors";
import type { Database } from "./database";
import type { FastPathsWithRetry } from "./fast-paths";
import { DEFAULT_RETRY_POLICY, isUniqueViolation, isWriteConflict, type RetryPolicy, retryOnConflict } from "./retry";

export interface ThrottleState {
  attempts: number;
  /** A lock, or the end of a window; null when there is nothing to wait for. */
  until: Date | null;
}

/** A key never seen, or whose row has expired. */
export const UNTOUCHED: ThrottleState = { attempts: 0, until: null };

export type ThrottleDecision =
  /** Count this attempt: the row becomes `next`, and counts until `expiresAt`. */
  | { allow: true; next: ThrottleState; expiresAt: Date }
  /** Refuse it without counting; it may be tried again at `retryAt`. */
  | { allow: false; retryAt: Date };

/**
 * What SQLite does without Prisma (sqlite-throttle.ts): a counter's state, a reservation as one synchronous
 * transaction, and clearing it. The store runs each inside its busy retry.
 */
export interface ThrottleFastPaths {
  state(key: string, now: Date): ThrottleState;
  reserve(key: string, now: Date, decide: (state: ThrottleState) => ThrottleDecision): ThrottleDecision;
  clear(key: string): void;
}

/**
 * How many times a reservation reads again after losing its compare-and-set before it gives up. Each lost
 * round means another attempt on the same key was counted, so a few hundred racing attempts end long before.
 */
const MAX_ROUNDS = 200;

export class ThrottleStore {
  constructor(
    private readonly db: Database,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly fast?: FastPathsWithRetry<ThrottleFastPaths>,
  ) {}

  /** The counter under `key` as it stands (an expired row counts as untouched). */
  async state(key: string, now: Date): Promise<ThrottleState> {
    if (this.fast) return this.fast.run((fast) => fast.state(key, now));
    const row = await this.db.throttle.findUnique({ where: { key } });
    return row && row.expiresAt > now ? { attempts: row.attempts, until: row.until } : UNTOUCHED;
  }

  /**
   * Asks `decide` about the counter under `key` and, when it allows the attempt, stores what it returns —
   * atomically: if another attempt changed the row meanwhile, `decide` is asked again about the new state.
   */
  async reserve(key: string, now: Date, decide: (state: ThrottleState) => ThrottleDecision): Promise<ThrottleDecision> {
    if (this.fast) return this.fast.run((fast) => fast.reserve(key, now, decide));
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

  /** Forgets the counter under `key` (a login that succeeded). */
  async clear(key: string): Promise<void> {
    if (this.fast) return this.fast.run((fast) => fast.clear(key));
    await retryOnConflict(() => this.db.throttle.deleteMany({ where: { key } }), this.retry);
  }

  /** Deletes the rows that no longer count. */
  async prune(now: Date): Promise<number> {
    const { count } = await retryOnConflict(
      () => this.db.throttle.deleteMany({ where: { expiresAt: { lte: now } } }),
      this.retry,
    );
    return count;
  }
}
