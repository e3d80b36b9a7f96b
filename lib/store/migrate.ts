import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { DatabaseTarget } from "./database-url";

const run = promisify(execFile);
const PROJECT_ROOT = path.resolve(__dirname, "..", ".."); // where prisma.config.ts lives

/**
 * Creates the SQLite file if needed and applies the versioned migrations in
 * prisma/sqlite/migrations that it has not seen yet (`prisma migrate deploy`: never destructive,
 * and the same steps on every machine). MongoDB has no migrations: see README "Running on MongoDB".
 */
export async function migrateSqlite(target: Extract<DatabaseTarget, { kind: "sqlite" }>): Promise<void> {
  await mkdir(path.dirname(target.file), { recursive: true });
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
