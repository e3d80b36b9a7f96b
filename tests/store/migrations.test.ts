/**
 * Upgrading a database an earlier version left behind: the migrations added since apply on start without failing
 * on data that version could write. Each old database is built by Prisma's own `migrate deploy` of the migrations
 * that version had, then written the way that version wrote.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import { openStore } from "@/lib/store";

const ROOT = path.resolve(__dirname, "..", "..");
const MIGRATIONS = path.join(ROOT, "prisma", "sqlite", "migrations");

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A database file migrated up to and including the migration `last`, as the version that ended there left it. */
function databaseAsOf(last: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), "chat-old-"));
  folders.push(folder);
  mkdirSync(path.join(folder, "migrations"));
  cpSync(path.join(MIGRATIONS, "migration_lock.toml"), path.join(folder, "migrations", "migration_lock.toml"));
  const names = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name <= last)
    .map((entry) => entry.name);
  expect(names).toContain(last);
  for (const name of names)
    cpSync(path.join(MIGRATIONS, name), path.join(folder, "migrations", name), { recursive: true });
  cpSync(path.join(ROOT, "prisma", "sqlite", "schema.prisma"), path.join(folder, "schema.prisma"));
  const file = path.join(folder, "chat.db");
  execFileSync(
    process.execPath,
    [require.resolve("prisma/build/index.js"), "migrate", "deploy", "--schema", path.join(folder, "schema.prisma")],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
      stdio: "pipe",
    },
  );
  return file;
}

const at = (ms: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, 0, ms)).toISOString().replace("Z", "+00:00");

test("a resend the old version stored twice migrates: the first copy keeps the clientId, nothing fails", async () => {
  const file = databaseAsOf("20261126000000_sort_indexes_claims_conversations");
  const old = new Database(file);
  const insert = old.prepare(
    `INSERT INTO "Message" ("id", "sender", "destination", "message", "timestamp", "clientId") VALUES (?, ?, ?, ?, ?, ?)`,
  );
  insert.run("m1", "ann", "bob", "hello", at(1), "c-1");
  insert.run("m2", "ann", "bob", "hello", at(2), "c-1"); // the same send, stored again by a racing resend
  insert.run("m0", "ann", "bob", "hello", at(2), "c-1"); // a third copy in the same millisecond, lower id
  insert.run("m3", "ann", "bob", "no client id", at(3), null);
  insert.run("m4", "ann", "bob", "a clientId that is another message's id", at(4), "m3");
  insert.run("m5", "bob", "ann", "bob's own c-1", at(5), "c-1");
  old.close();

  const store = await openStore(`file:${file}`);
  try {
    const migrated = new Database(file, { readonly: true });
    try {
      expect(migrated.prepare(`SELECT "id", "clientId", "clientKey" FROM "Message" ORDER BY "id"`).all()).toEqual([
        { id: "m0", clientId: "c-1", clientKey: "m0" },
        { id: "m1", clientId: "c-1", clientKey: "c-1" },
        { id: "m2", clientId: "c-1", clientKey: "m2" },
        { id: "m3", clientId: null, clientKey: "m3" },
        { id: "m4", clientId: "m3", clientKey: "m4" },
        { id: "m5", clientId: "c-1", clientKey: "c-1" },
      ]);
    } finally {
      migrated.close();
    }
    // A further resend finds the first copy; bob's clientId is his own.
    const resend = await store.messages.save({
      sender: "ann",
      destination: "bob",
      message: "hello",
      type: "chat",
      clientId: "c-1",
    });
    expect(resend).toMatchObject({ resent: true, message: { id: "m1" } });
    const bobs = await store.messages.save({
      sender: "bob",
      destination: "ann",
      message: "x",
      type: "chat",
      clientId: "c-1",
    });
    expect(bobs).toMatchObject({ resent: true, message: { id: "m5" } });
  } finally {
    await store.close();
  }
});

test("accounts the old lockout columns counted keep their names, passwords and sessions; the old lock is gone", async () => {
  const file = databaseAsOf("20261126120000_unique_client_key");
  const old = new Database(file);
  old
    .prepare(
      `INSERT INTO "User" ("id", "username", "passwordHash", "failedLogins", "lockedUntil") VALUES ('u1', 'ann', 'hash', 7, ?)`,
    )
    .run(at(10 * 60_000 + 999));
  old
    .prepare(`INSERT INTO "Session" ("id", "tokenHash", "userId", "expiresAt") VALUES ('s1', 'token-hash', 'u1', ?)`)
    .run("2099-01-01T00:00:00.000+00:00");
  old.close();

  const store = await openStore(`file:${file}`);
  try {
    expect(await store.accounts.findUser("ann")).toMatchObject({ id: "u1", username: "ann", passwordHash: "hash" });
    expect(await store.accounts.sessionUser("token-hash", new Date())).toBe("ann");
    expect(await store.throttles.state("name ann", new Date())).toEqual({ attempts: 0, until: null });
  } finally {
    await store.close();
  }
});

test("direct messages keep their delivery and read marks when they move to receipts, and keep working", async () => {
  const file = databaseAsOf("20261126130000_login_throttle");
  const old = new Database(file);
  const insert = old.prepare(
    `INSERT INTO "Message" ("id", "sender", "destination", "message", "timestamp", "clientId", "clientKey",
       "deliveredAt", "readAt", "deliveryClaim")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  insert.run("d1", "ann", "bob", "delivered and read", at(1), "c-1", "c-1", at(2), at(3), "claim-1");
  insert.run("d2", "ann", "bob", "delivered, unread", at(4), null, "d2", at(5), null, "claim-2");
  insert.run("d3", "ann", "bob", "waiting", at(6), null, "d3", null, null, null);
  insert.run("d4", "bob", "ann", "bob's, waiting", at(7), null, "d4", null, null, null);
  const conversation = old.prepare(
    `INSERT INTO "Conversation" ("id", "owner", "peer", "lastTimestamp", "lastMessageId") VALUES (?, ?, ?, ?, ?)`,
  );
  conversation.run("v1", "ann", "bob", at(7), "d4");
  conversation.run("v2", "bob", "ann", at(7), "d4");
  old.close();

  const store = await openStore(`file:${file}`);
  try {
    const migrated = new Database(file, { readonly: true });
    try {
      expect(
        migrated
          .prepare(
            `SELECT "messageId", "recipient", "conversation", "sender", "timestamp", "deliveredAt", "readAt", "deliveryClaim"
             FROM "Receipt" ORDER BY "messageId"`,
          )
          .all(),
      ).toEqual([
        {
          messageId: "d1",
          recipient: "bob",
          conversation: "ann",
          sender: "ann",
          timestamp: at(1),
          deliveredAt: at(2),
          readAt: at(3),
          deliveryClaim: "claim-1",
        },
        {
          messageId: "d2",
          recipient: "bob",
          conversation: "ann",
          sender: "ann",
          timestamp: at(4),
          deliveredAt: at(5),
          readAt: null,
          deliveryClaim: "claim-2",
        },
        {
          messageId: "d3",
          recipient: "bob",
          conversation: "ann",
          sender: "ann",
          timestamp: at(6),
          deliveredAt: null,
          readAt: null,
          deliveryClaim: null,
        },
        {
          messageId: "d4",
          recipient: "ann",
          conversation: "bob",
          sender: "bob",
          timestamp: at(7),
          deliveredAt: null,
          readAt: null,
          deliveryClaim: null,
        },
      ]);
    } finally {
      migrated.close();
    }
    // Bob's backlog is the one message never delivered to him; the delivered ones are not delivered again.
    expect((await store.messages.undelivered("bob", { limit: 10 })).map((m) => m.id)).toEqual(["d3"]);
    expect((await store.messages.undelivered("ann", { limit: 10 })).map((m) => m.id)).toEqual(["d4"]);
    // History shows each message's marks as before, from both sides.
    const history = (await store.messages.conversation("ann", "bob", { limit: 10 }))!;
    expect(history.map((m) => [m.id, m.deliveredAt !== null, m.readAt !== null])).toEqual([
      ["d1", true, true],
      ["d2", true, false],
      ["d3", false, false],
      ["d4", false, false],
    ]);
    expect((await store.messages.conversation("bob", "ann", { limit: 10 }))!.map((m) => m.id)).toEqual([
      "d1",
      "d2",
      "d3",
      "d4",
    ]);
    // Unread counts: bob has two unread from ann (d2, d3), ann one from bob.
    expect((await store.messages.conversations("bob")).map((c) => [c.peer, c.unread])).toEqual([["ann", 2]]);
    expect((await store.messages.conversations("ann")).map((c) => [c.peer, c.unread])).toEqual([["bob", 1]]);
    // Delivery and read go on where they were; a resend of d1's clientId still finds it.
    expect(await store.messages.markDelivered("bob", ["d1", "d2", "d3"], new Date())).toEqual([
      { id: "d3", sender: "ann" },
    ]);
    const read = await store.messages.markConversationRead("bob", "ann", new Date());
    expect(read.map((change) => change.id).sort()).toEqual(["d2", "d3"]);
    const resend = await store.messages.save({
      sender: "ann",
      destination: "bob",
      message: "delivered and read",
      type: "chat",
      clientId: "c-1",
    });
    expect(resend).toMatchObject({ resent: true, message: { id: "d1" } });
  } finally {
    await store.close();
  }
});
