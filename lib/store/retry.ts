/**
 * Running a write again when it lost a write conflict. On MongoDB, Prisma runs each write in a
 * transaction, and when two transactions touch the same document one of them fails with P2034
 * ("write conflict or deadlock, please retry"). The failed one was rolled back, so running it again
 * is safe for any single write; the stores retry the ones whose outcome does not depend on when
 * they run (read marks, delivery claims, login counters, subscriptions, sessions). SQLite
 * serialises writers and never reports P2034; the tests inject it to cover this path.
 */
import { backoffDelay, pause } from "./backoff";

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Upper bound of the first wait; it doubles with each retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Five attempts within at most ~0.5 s: a conflict lasts as long as the other write's transaction. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 10, maxDelayMs: 200 };

export function prismaErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** P2034: the transaction lost a write conflict (or a deadlock) and was rolled back. */
export const isWriteConflict = (error: unknown): boolean => prismaErrorCode(error) === "P2034";

/** P2002: a unique constraint refused the write. */
export const isUniqueViolation = (error: unknown): boolean => prismaErrorCode(error) === "P2002";

/** How long to wait before retry number `attempt` (0 for the first): the policy's bounds, jittered (backoff.ts). */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return backoffDelay(attempt, { firstMs: policy.baseDelayMs, longestMs: policy.maxDelayMs }, random);
}

/** Runs `write`, and again after a jittered wait each time it fails with a write conflict, up to `policy.retries` times. */
export async function retryOnConflict<T>(write: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isWriteConflict(error) || attempt >= policy.retries) throw error;
      await pause(retryDelay(attempt, policy));
    }
  }
}
