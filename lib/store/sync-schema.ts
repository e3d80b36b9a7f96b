import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { DatabaseTarget } from "./database-url";

const run = promisify(execFile);

/**
 * Creates the SQLite file and brings its tables and indexes in line with prisma/sqlite/schema.prisma.
 * `prisma db push` refuses changes that would lose data, so a start can never drop anyone's messages.
 * MongoDB is synced by hand (`npm run db:mongodb`): production schema changes deserve a person's eyes.
 */
export async function syncSqliteSchema(target: Extract<DatabaseTarget, { kind: "sqlite" }>): Promise<void> {
  await mkdir(path.dirname(target.file), { recursive: true });
  const prismaCli = require.resolve("prisma/build/index.js");
  try {
    await run(process.execPath, [prismaCli, "db", "push", "--skip-generate"], {
      env: { ...process.env, DATABASE_URL: `file:${target.file}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      cwd: path.resolve(__dirname, "..", ".."), // where prisma.config.ts lives
    });
  } catch (error) {
    const output = (error as { stdout?: string; stderr?: string }).stderr || (error as Error).message;
    throw new Error(`could not prepare the SQLite database at ${target.file}:\n${output}`);
  }
}
