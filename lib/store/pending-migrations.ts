/**
 * Which of the versioned migrations a SQLite file has not had yet, read straight from Prisma's own bookkeeping
 * table (`_prisma_migrations`). Several instances share one file: when nothing is pending an instance starts
 * without running `prisma migrate deploy`, which would need the database to itself while others write.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export const MIGRATIONS_DIR = path.resolve(__dirname, "..", "..", "prisma", "sqlite", "migrations");

export function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The migrations not yet applied to `file` (all of them for a file that does not exist yet). */
export function pendingMigrations(file: string): string[] {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
  } catch {
    return migrationNames(); // no file yet
  }
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'");
    if (!table.get()) return migrationNames();
    const rows = db
      .prepare(
        "SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
      )
      .all() as { name: string }[];
    const applied = new Set(rows.map((row) => row.name));
    return migrationNames().filter((name) => !applied.has(name));
  } finally {
    db.close();
  }
}
