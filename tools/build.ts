/**
 * `next build`, only when a source of the app is newer than the last build: the tests, the
 * benchmarks and the screenshots all run the server in production mode, on a build.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./root";

const APP_SOURCES = ["app", "lib", "next.config.js", "package-lock.json", "tsconfig.json"];

function newestChange(entry: string): number {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

export function buildIfStale(): void {
  const built =
    statSync(path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"), { throwIfNoEntry: false })?.mtimeMs ??
    0;
  const changed = Math.max(...APP_SOURCES.map((entry) => newestChange(path.join(ROOT, entry))));
  if (built > changed) return;
  console.log("\nBuilding the app (next build): a source changed since the last build…");
  try {
    execFileSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], {
      cwd: ROOT,
      stdio: "pipe",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: Buffer; stderr: Buffer };
    throw new Error(`next build failed:\n${stdout}\n${stderr}`);
  }
}
