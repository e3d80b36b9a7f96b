import { execFile } from "node:child_process";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { DatabaseTarget } from "./database-url";
import { pendingMigrations } from "./pending-migrations";

const run = promisify(execFile);
const PROJECT_ROOT = path.resolve(__dirname, "..", ".."); // where prisma.config.ts lives

/**
 * Creates the SQLite file if needed and applies the versioned migrations in
 * prisma/sqlite/migrations that it has not seen yet (`prisma migrate deploy`: never destructive,
 * and the same steps on every machine). MongoDB has no migrations: see README "Running on MongoDB".
 */
export async function migrateSqlite(target: Extract<DatabaseTarget, { kind: "sqlite" }>): Promise<void> {
  await mkdir(path.dirname(target.file), { recursive: true });
  // Other instances may be writing to this file: leave it alone unless there is something to apply, and let one
  // instance at a time apply it (the others find nothing pending once they get the lock).
  if (pendingMigrations(target.file).length === 0) return;
  await withMigrationLock(target.file, async () => {
    if (pendingMigrations(target.file).length > 0) await deployWithRetries(target);
  });
}

const LOCKED = /database is locked|SQLITE_BUSY/i;
const RETRY_FOR_MS = 60_000;

/** `prisma migrate deploy`, tried again while other instances' writes keep the database busy. */
async function deployWithRetries(target: Extract<DatabaseTarget, { kind: "sqlite" }>): Promise<void> {
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await deploy(target);
    } catch (error) {
      if (!LOCKED.test((error as Error).message) || Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** One instance migrates at a time: a lock directory beside the file (mkdir is atomic); a stale one is taken over. */
async function withMigrationLock(file: string, work: () => Promise<void>): Promise<void> {
  const lock = `${file}.migrating`;
  const giveUpAt = Date.now() + 3 * RETRY_FOR_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const since = await stat(lock).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      );
      if (Date.now() - since > 2 * RETRY_FOR_MS) await rm(lock, { recursive: true, force: true }); // its owner died
      if (Date.now() > giveUpAt) throw new Error(`another process is migrating ${file} (lock ${lock})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function deploy(target: Extract<DatabaseTarget, { kind: "sqlite" }>): Promise<void> {
  try {
    await run(process.execPath, [require.resolve("prisma/build/index.js"), "migrate", "deploy"], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: `file:${target.file}`,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1",
      },
      timeout: 60_000,
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `could not prepare the SQLite database at ${target.file}:\n${stderr || stdout || (error as Error).message}`,
    );
  }
}
