/**
 * Faults made to a running server's SQLite file from outside it, with real second connections: another
 * process holding the write lock (a busy store), and the database filled up to its page limit (a full
 * store). Shared by the busy-store integration test and the fault run.
 */
import Database from "better-sqlite3";
import { api, login, type Person } from "./clients";

export interface Lock {
  /** Resolves when the lock has been released. */
  released: Promise<void>;
  isReleased(): boolean;
  /** Releases it now (once; the timer then does nothing). */
  release(): Promise<void>;
  startedAt: number;
}

/** Takes the write lock on another connection (BEGIN IMMEDIATE) and gives it back after `ms` (or at release()). */
export function holdWriteLock(file: string, ms: number): Lock {
  const db = new Database(file);
  db.exec("BEGIN IMMEDIATE");
  let released = false;
  const startedAt = Date.now();
  let done: () => void = () => {};
  const releasedPromise = new Promise<void>((resolve) => {
    done = resolve;
  });
  const release = async () => {
    if (released) return;
    clearTimeout(timer);
    db.exec("COMMIT");
    db.close();
    released = true;
    done();
  };
  const timer = setTimeout(() => void release(), ms);
  return { startedAt, isReleased: () => released, release, released: releasedPromise };
}

/** Runs a request and records how long it took and whether the lock was still held when it answered. */
export async function timed<T>(lock: Lock, request: () => Promise<T>) {
  const start = Date.now();
  const result = await request();
  return { result, ms: Date.now() - start, beforeRelease: !lock.isReleased(), at: Date.now() - lock.startedAt };
}

/** The stored texts that start with `prefix`, sorted. */
export function storedTexts(file: string, prefix: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(`SELECT "message" FROM "Message" WHERE "message" LIKE ? ORDER BY "message"`)
      .pluck()
      .all(`${prefix}%`) as string[];
  } finally {
    db.close();
  }
}

/** How many stored rows each clientId has. */
export function clientIdCounts(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT clientId, COUNT(*) AS n FROM "Message" WHERE clientId IS NOT NULL GROUP BY clientId`)
      .all() as { clientId: string; n: number }[];
    return new Map(rows.map((row) => [row.clientId, row.n]));
  } finally {
    db.close();
  }
}

/** Two new people, with the page and the routes warmed up, so what is measured under a fault is the fault, not a first render. */
export async function warmPeople(url: string): Promise<[Person, Person]> {
  const alice = await login(url);
  const bob = await login(url);
  await fetch(`${url}/`).then((response) => response.text());
  await api(url, "/api/users", { token: alice.token });
  return [alice, bob];
}

/** A table of the fault's own beside the chat's: filling it takes the room the chat's writes would need. */
const FILLER = "FaultFiller";

/**
 * Fills the database up to `maxPages` (the server's STORE_MAX_PAGES) from another connection, as another
 * writer or the chat's own growth would fill a disk: blobs of shrinking size until not even one more byte
 * fits in a new page. Returns the pages the file has then.
 */
export function fillStore(file: string, maxPages: number): number {
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma(`max_page_count = ${maxPages}`);
    db.exec(`CREATE TABLE IF NOT EXISTS "${FILLER}" ("b" BLOB)`);
    const insert = db.prepare(`INSERT INTO "${FILLER}" ("b") VALUES (zeroblob(?))`);
    for (const size of [256 * 1024, 16 * 1024, 2048, 256, 16, 1]) {
      for (;;) {
        try {
          insert.run(size);
        } catch (error) {
          if ((error as { code?: string }).code === "SQLITE_FULL") break;
          throw error;
        }
      }
    }
    return db.pragma("page_count", { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** Frees what fillStore took: its pages go back to the database's free list, for the server's next writes. */
export function freeStore(file: string): void {
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.exec(`DROP TABLE IF EXISTS "${FILLER}"`);
  } finally {
    db.close();
  }
}
