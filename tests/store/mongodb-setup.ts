/**
 * The MongoDB the store suites run against when MONGODB_TEST_URL names one: a 5.0+ replica set,
 * with the MongoDB client generated (`npm run db:mongodb:generate`). The suites push the schema
 * (creating the indexes the store checks for on start) before their first test.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "..", "..");

export const MONGODB_TEST_URL = process.env.MONGODB_TEST_URL || undefined;

export const MONGODB_SKIPPED =
  "skipped: set MONGODB_TEST_URL to a MongoDB 5.0+ replica set and run `npm run db:mongodb:generate` to run it";

let pushed: Promise<void> | undefined;

/** `npm run db:mongodb:push` against the test database (the clientKey backfill, then the push), once per test file. */
export function pushMongoSchema(url: string): Promise<void> {
  const run = promisify(execFile);
  const options = {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    timeout: 120_000,
  };
  pushed ??= run(
    process.execPath,
    [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/mongodb-backfill-client-keys.ts"],
    options,
  )
    .then(() =>
      run(
        process.execPath,
        [
          require.resolve("prisma/build/index.js"),
          "db",
          "push",
          "--skip-generate",
          "--config",
          "prisma.mongodb.config.ts",
        ],
        options,
      ),
    )
    .then(
      () => undefined,
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`prisma db push to MONGODB_TEST_URL failed:\n${error.stderr || error.stdout || error.message}`);
      },
    );
  return pushed;
}
