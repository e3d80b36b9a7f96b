/**
 * WAL checkpoints off the event loop. By default SQLite checkpoints in whichever connection's commit takes the WAL
 * past 1,000 pages: here that is one of the server's writing connections, so every few group commits a message write
 * also copied the WAL into the database and waited for an fsync, with every socket held behind it. Instead, a worker
 * thread with a connection of its own checkpoints a few times a second, PASSIVE (it never waits for the writer or
 * for readers, and never makes them wait), and the server's connections turn automatic checkpoints off. Measured on
 * the store alone, 50 senders × 8 in flight: COMMIT time 2.3 s → 0.7 s per 20,000 messages.
 *
 * If the worker cannot run, the server's connections checkpoint themselves again, as SQLite does by default.
 */
import { Worker } from "node:worker_threads";
import { log } from "../../log";

/** Sets `PRAGMA wal_autocheckpoint` on every connection of the process that writes. */
export type AutoCheckpoint = (pages: number) => Promise<void>;

/** How often the worker checkpoints: often enough that the WAL stays a few MB under a steady write load. */
export const CHECKPOINT_INTERVAL_MS = 250;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1_000;

/**
 * The worker's code, evaluated as CommonJS in its own thread (no loader or bundler reaches worker files, so it is
 * a string). Another connection's checkpoint in progress (SQLITE_BUSY) is simply tried again next time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); }
  catch (error) { if (error.code !== "SQLITE_BUSY") parentPort.postMessage({ failed: String(error.message) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once("message", () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
parentPort.postMessage({ ready: true });
`;

export class Checkpointer {
  private stopping = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    autoCheckpoint: AutoCheckpoint,
  ) {
    this.exited = new Promise<void>((resolve) => {
      worker.once("exit", (code) => {
        if (!this.stopping || code !== 0) {
          log.error(`WAL checkpoints: the worker stopped (exit ${code}); the server's connections checkpoint again`);
          autoCheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT).catch(() => {});
        }
        resolve();
      });
    });
    worker.on("message", (message: { failed?: string }) => {
      if (message.failed) log.warn(`WAL checkpoint failed: ${message.failed}`);
    });
    worker.unref(); // a timer in another thread must not keep the process alive
  }

  /**
   * Starts checkpointing `file` from a worker thread; once its connection is open, turns automatic checkpoints
   * off. Resolves undefined, leaving SQLite's own checkpoints on, if the worker cannot start.
   */
  static async start(
    file: string,
    autoCheckpoint: AutoCheckpoint,
    intervalMs = CHECKPOINT_INTERVAL_MS,
  ): Promise<Checkpointer | undefined> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve("better-sqlite3"), file, intervalMs },
    });
    const ready = await new Promise<boolean>((resolve) => {
      worker.once("message", () => resolve(true));
      worker.once("error", (error) => {
        log.error(
          "WAL checkpoints: the worker could not start; the server's connections checkpoint themselves:",
          error,
        );
        resolve(false);
      });
    });
    if (!ready) return undefined;
    const checkpointer = new Checkpointer(worker, autoCheckpoint);
    await autoCheckpoint(0);
    return checkpointer;
  }

  /** A last checkpoint, then the worker's connection closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.postMessage("stop");
    await this.exited;
  }
}
