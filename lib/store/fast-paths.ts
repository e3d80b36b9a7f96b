/**
 * A store's SQLite fast paths (synchronous statements on their own connection) with the store's busy retry around
 * each call: a statement that finds the write lock taken fails at once and is tried again asynchronously (busy.ts),
 * exactly as the store's Prisma statements are.
 */
import type { BusyRetry } from "./busy";

export interface FastPathsWithRetry<Paths> {
  run<T>(call: (paths: Paths) => T): Promise<T>;
}

export function withBusyRetry<Paths>(paths: Paths, busy: BusyRetry): FastPathsWithRetry<Paths> {
  return { run: (call) => busy.run(async () => call(paths)) };
}
