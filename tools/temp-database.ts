/** A SQLite file of its own for each server a test or script starts, in a temporary folder. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export function tempDatabaseFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), "chat-test-")), "chat.db");
}

/** Removes the file with its folder, and so its -wal and -shm companions. */
export function removeDatabase(databaseFile: string): void {
  rmSync(path.dirname(databaseFile), { recursive: true, force: true });
}
