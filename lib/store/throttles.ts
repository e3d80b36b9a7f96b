/**
 * The throttle store: attempt counters under a key (a Throttle row each), changed atomically — two logins racing for
 * the last free attempt cannot both get it, on one instance or several. What the counts mean is the caller's
 * business (lib/accounts/login-throttle.ts). Two implementations: portable/throttles.ts (a compare-and-set loop of
 * Prisma Client calls, what MongoDB runs) and sqlite/throttles.ts (one synchronous SQLite transaction a
 * reservation); openStore (index.ts) picks one.
 */

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

export interface ThrottleStore {
  /** The counter under `key` as it stands (an expired row counts as untouched). */
  state(key: string, now: Date): Promise<ThrottleState>;
  /**
   * Asks `decide` about the counter under `key` and, when it allows the attempt, stores what it returns —
   * atomically: if another attempt changed the row meanwhile, `decide` is asked again about the new state.
   */
  reserve(key: string, now: Date, decide: (state: ThrottleState) => ThrottleDecision): Promise<ThrottleDecision>;
  /** Forgets the counter under `key` (a login that succeeded). */
  clear(key: string): Promise<void>;
  /** Deletes the rows that no longer count; returns how many. */
  prune(now: Date): Promise<number>;
}
