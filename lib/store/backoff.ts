/**
 * How long the store waits before trying something again, for both of its retries: a statement that found SQLite
 * busy (busy.ts) and a write that lost a write conflict (retry.ts). A random time below a bound that doubles with
 * each attempt up to a cap ("full jitter"), so callers that collided do not try again in step.
 */
export interface Backoff {
  /** The bound of the first wait. */
  firstMs: number;
  /** The bound stops doubling here. */
  longestMs: number;
}

/** The wait before retry number `attempt` (0 for the first). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  return random() * Math.min(backoff.longestMs, backoff.firstMs * 2 ** attempt);
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
