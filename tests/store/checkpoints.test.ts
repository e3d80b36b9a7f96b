/**
 * WAL checkpoints run in a worker thread, not in the server's connection: the server's connection has automatic
 * checkpoints off, and what it writes still reaches the database file (not only the WAL) within moments.
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { openStore, type OpenStore } from "@/lib/store";
import { CHECKPOINT_INTERVAL_MS } from "@/lib/store/sqlite/checkpoints";
import { waitFor } from "../support/clients";
import { removeDatabase, tempDatabaseFile } from "../support/server";

let store: OpenStore;
let file: string;

beforeAll(async () => {
  file = tempDatabaseFile();
  store = await openStore(`file:${file}`);
});
afterAll(async () => {
  await store.close();
  removeDatabase(file);
});

test("messages written by the server reach the database file through the worker's checkpoints", async () => {
  const before = statSync(file).size;
  // Far below SQLite's own 1,000-page threshold: only the worker can have copied these pages into the file.
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      store.messages.saveMessage({
        sender: "ann",
        destination: "bob",
        message: `m${i} `.padEnd(500, "x"),
        type: "chat",
      }),
    ),
  );
  await waitFor(() => statSync(file).size > before, 20 * CHECKPOINT_INTERVAL_MS);

  const reader = new Database(file, { readonly: true });
  try {
    expect(reader.prepare(`SELECT count(*) AS n FROM "Message"`).get()).toEqual({ n: 200 });
  } finally {
    reader.close();
  }
});
