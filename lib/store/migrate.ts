import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import type { DatabaseTarget } from "./database-url";

const run = promisify(execFile);
const PROJECT_ROOT = path.resolve(__dirname, "..", ".."); // where prisma.config.ts lives
const MIGRATIONS = path.join(PROJECT_ROOT, "prisma", "sqlite", "migrations");

/**
 * Creates the SQLite file if needed and applies the versioned migrations in
 * prisma/sqlite/migrations that it has not seen yet (`prisma migrate deploy`: never destructive,
 * and the same steps on every machine). MongoDB has no migrations: see README "Running on MongoDB".
 */
export async function migrateSqlite(target: Extract<DatabaseTarget, { kind: "sqlite" }>): Promise<void> {
  await mkdir(path.dirname(target.file), { recursive: true });
  // Once another connection to the file has written, `migrate deploy` waits for a lock and then
  // fails; a database already up to date (a restart, a second process) needs no deploy at all.
  if (everyMigrationApplied(target.file)) return;
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

/** Whether Prisma's own record in the file lists every migration folder as applied. */
function everyMigrationApplied(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const recorded = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!recorded) return false;
    const applied = new Set(
      db
        .prepare(
          "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        )
        .pluck()
        .all() as string[],
    );
    return readdirSync(MIGRATIONS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .every((entry) => applied.has(entry.name));
  } finally {
    db.close();
  }
}
