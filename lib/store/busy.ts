/**
 * A busy SQLite store must not freeze the server. SQLite lets one connection write at a time, and
 * better-sqlite3 runs on the event loop: a connection told to wait for the write lock (`busy_timeout`)
 * waits synchronously, and every page, route and socket of the process waits with it. The server's
 * connection therefore never waits inside SQLite (busy_timeout 0, see sqlite-client.ts): a statement
 * that finds the lock taken fails at once with SQLITE_BUSY, and is tried again here after an
 * asynchronous wait, until a deadline (STORE_BUSY_TIMEOUT_MS after the caller asked); then the caller
 * hears "the store is busy: try again" (503). A statement that failed busy did nothing (Prisma rolls
 * back the transaction it ran in), so running it again is safe. WAL readers are not blocked by a
 * writer, so reads keep working while another process holds the lock.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ChatError } from "../errors";
import type { Database } from "./database";

export const DEFAULT_STORE_BUSY_TIMEOUT_MS = 5_000;
/** Waits between attempts: a random time below 2, 4, 8 … ms up to 100 ms, so waiting writers do not retry in step. */
const FIRST_WAIT_MS = 2;
const LONGEST_WAIT_MS = 100;

export const STORE_BUSY_MESSAGE = "the store is busy: try again";

export function storeBusyError(): ChatError {
  return new ChatError(503, STORE_BUSY_MESSAGE);
}

/**
 * Whether an error says the store was busy: SQLite's "the database is locked" (SQLITE_BUSY and its
 * extended codes), or the 503 a caller gets once retrying it gave up. Through Prisma's better-sqlite3
 * adapter SQLITE_BUSY arrives as P1008 (model calls) or P2010 (raw SQL), the driver's code kept in
 * `meta.driverAdapterError.cause.originalCode`; an extended code the adapter does not map
 * (SQLITE_BUSY_SNAPSHOT) may arrive as the driver's own error, with `code` set.
 */
export function isStoreBusy(error: unknown): boolean {
  if (ChatError.is(error)) return error.status === 503 && error.message === STORE_BUSY_MESSAGE;
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth += 1) {
    const { code, meta, cause } = current as { code?: unknown; meta?: unknown; cause?: unknown };
    if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) return true;
    const original = (meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
      ?.driverAdapterError?.cause?.originalCode;
    if (typeof original === "string" && original.startsWith("SQLITE_BUSY")) return true;
    current = cause;
  }
  return false;
}

/** When the caller of the work under way asked (a group commit's oldest item); unset: when the statement starts. */
const askedAt = new AsyncLocalStorage<number>();

/**
 * Runs `work` with every store call made inside it sharing one deadline, counted from `since` rather
 * than from each call: a message that waited for its group-commit batch has used part of its time.
 */
export function sinceAsked<T>(since: number, work: () => Promise<T>): Promise<T> {
  return askedAt.run(since, work);
}

export class BusyRetry {
  constructor(
    readonly timeoutMs: number = DEFAULT_STORE_BUSY_TIMEOUT_MS,
    private readonly random: () => number = Math.random,
  ) {}

  /** Runs `operation`, and again after a short wait each time it finds the store busy, until the deadline. */
  async run<T>(operation: () => PromiseLike<T>): Promise<T> {
    const deadline = (askedAt.getStore() ?? Date.now()) + this.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation();
      } catch (error) {
        if (!isStoreBusy(error) || ChatError.is(error)) throw error;
        const left = deadline - Date.now();
        if (left <= 0) throw storeBusyError();
        const wait = this.random() * Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, wait)));
      }
    }
  }

  /** The client with every model call run through `run`: what the stores use on SQLite. */
  wrap(db: Database): Database {
    return new Proxy(db, {
      get: (client, property) => {
        const value = Reflect.get(client, property);
        if (typeof value === "function") return value.bind(client);
        if (typeof property !== "string" || property.startsWith("$") || typeof value !== "object" || value === null)
          return value;
        return new Proxy(value, {
          get: (delegate, operation) => {
            const method = Reflect.get(delegate, operation);
            if (typeof method !== "function") return method;
            return (...args: unknown[]) => this.run(() => method.apply(delegate, args));
          },
        });
      },
    });
  }
}
