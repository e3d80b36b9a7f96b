/**
 * A busy SQLite store must not freeze the server. SQLite lets one connection write at a time, and
 * better-sqlite3 runs on the event loop: a connection told to wait for the write lock (`busy_timeout`)
 * waits synchronously, and every page, route and socket of the process waits with it. The server's
 * connection therefore never waits inside SQLite (busy_timeout 0, see sqlite/client.ts): a statement
 * that finds the lock taken fails at once with SQLITE_BUSY, and is tried again here after an
 * asynchronous wait, until a deadline (STORE_BUSY_TIMEOUT_MS after the caller asked); then the caller
 * hears "the store is busy: try again" (503). A statement that failed busy did nothing (Prisma rolls
 * back the transaction it ran in), so running it again is safe. WAL readers are not blocked by a
 * writer, so reads keep working while another process holds the lock.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { busyError, ChatError, isBusyError } from "../errors";
import { log } from "../log";
import { type Backoff, backoffDelay, pause } from "./backoff";
import type { Database } from "./database";

export const DEFAULT_STORE_BUSY_TIMEOUT_MS = 5_000;
/** Waits between attempts: a random time below 2, 4, 8 … ms up to 100 ms, so waiting writers do not retry in step. */
const BUSY_BACKOFF: Backoff = { firstMs: 2, longestMs: 100 };

/**
 * A full store: the disk the database lives on is full, or the database reached STORE_MAX_PAGES. SQLite then
 * refuses the write with SQLITE_FULL and rolls back the statement, so nothing of it is stored; reads go on as
 * before. The caller hears 507 "the store is full: try again later", and the next write after space is freed
 * goes through: nothing is cached about it, so the server recovers without a restart.
 */
export const STORE_FULL_MESSAGE = "the store is full: try again later";

export function storeFullError(): ChatError {
  return new ChatError(507, STORE_FULL_MESSAGE);
}

/** The SQLite result code an error carries, through Prisma's adapter or straight from the driver. */
function sqliteCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth += 1) {
    const { code, meta, cause } = current as { code?: unknown; meta?: unknown; cause?: unknown };
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
    const original = (meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
      ?.driverAdapterError?.cause?.originalCode;
    if (typeof original === "string" && original.startsWith("SQLITE_")) return original;
    current = cause;
  }
  return undefined;
}

/** Whether an error says the store is full (SQLITE_FULL), or is the 507 a caller gets for it. */
export function isStoreFull(error: unknown): boolean {
  if (ChatError.is(error)) return error.status === 507 && error.message === STORE_FULL_MESSAGE;
  return sqliteCode(error)?.startsWith("SQLITE_FULL") === true;
}

/** Says so in the log at most once a minute while writes keep failing: the operator has to free space. */
const FULL_LOG_EVERY_MS = 60_000;
let lastFullLog = Number.NEGATIVE_INFINITY;
function logStoreFull(): void {
  if (Date.now() - lastFullLog < FULL_LOG_EVERY_MS) return;
  lastFullLog = Date.now();
  log.error(
    "the store is full (SQLITE_FULL): writes are refused with 507 until the disk has space again or STORE_MAX_PAGES is raised",
  );
}

/**
 * Whether an error says the store was busy: SQLite's "the database is locked" (SQLITE_BUSY and its
 * extended codes), or the 503 a caller gets once retrying it gave up. Through Prisma's better-sqlite3
 * adapter SQLITE_BUSY arrives as P1008 (model calls) or P2010 (raw SQL), the driver's code kept in
 * `meta.driverAdapterError.cause.originalCode`; an extended code the adapter does not map
 * (SQLITE_BUSY_SNAPSHOT) may arrive as the driver's own error, with `code` set.
 */
export function isStoreBusy(error: unknown): boolean {
  if (ChatError.is(error)) return isBusyError(error);
  return sqliteCode(error)?.startsWith("SQLITE_BUSY") === true;
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

  /**
   * Runs `operation`, and again after a short wait each time it finds the store busy, until the deadline.
   * A full store is not waited for (space comes back when someone frees it, not in milliseconds): 507 at once.
   */
  async run<T>(operation: () => PromiseLike<T>): Promise<T> {
    const deadline = (askedAt.getStore() ?? Date.now()) + this.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation();
      } catch (error) {
        if (ChatError.is(error)) throw error;
        if (isStoreFull(error)) {
          logStoreFull();
          throw storeFullError();
        }
        if (!isStoreBusy(error)) throw error;
        const left = deadline - Date.now();
        if (left <= 0) throw busyError("store");
        await pause(Math.min(left, backoffDelay(attempt, BUSY_BACKOFF, this.random)));
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
