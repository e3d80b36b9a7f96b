/**
 * Direct writes to a running server's SQLite file, for states the API rightly refuses to create:
 * a session about to expire, a message stored before the server refused control characters.
 * WAL mode lets this connection write beside the server's.
 */
import Database from "better-sqlite3";
import { newMessageId } from "@/lib/store/message-id";

function withDatabase<T>(databaseFile: string, work: (db: Database.Database) => T): T {
  const db = new Database(databaseFile);
  try {
    db.pragma("busy_timeout = 5000");
    return work(db);
  } finally {
    db.close();
  }
}

/** Prisma's SQLite adapter stores DateTime as ISO 8601 text with `+00:00`. */
const sqliteDateTime = (date: Date) => date.toISOString().replace("Z", "+00:00");

/** Makes every session of `username` expire at `at`. */
export function setSessionExpiry(databaseFile: string, username: string, at: Date): void {
  withDatabase(databaseFile, (db) => {
    const result = db
      .prepare(`UPDATE "Session" SET "expiresAt" = ? WHERE "userId" = (SELECT "id" FROM "User" WHERE "username" = ?)`)
      .run(sqliteDateTime(at), username);
    if (result.changes === 0) throw new Error(`no session of ${username} to change`);
  });
}

/** Stores a chat message as it is, unvalidated and undelivered; returns its id. */
export function insertRawMessage(
  databaseFile: string,
  message: { sender: string; destination: string; message: string },
): string {
  return insertRawMessages(databaseFile, [message])[0]!;
}

/** Stores many chat messages at once (one transaction), oldest first; returns their ids. */
export function insertRawMessages(
  databaseFile: string,
  messages: { sender: string; destination: string; message: string }[],
): string[] {
  return withDatabase(databaseFile, (db) => {
    const insert = db.prepare(
      // clientKey is the message's own id when no clientId was given, as the store writes it.
      `INSERT INTO "Message" ("id", "sender", "destination", "message", "timestamp", "type", "clientKey")
       VALUES (?, ?, ?, ?, ?, 'chat', ?)`,
    );
    // Its one receipt (a direct message's), undelivered, which is what the backlog reads.
    const receipt = db.prepare(
      `INSERT INTO "Receipt" ("id", "messageId", "recipient", "conversation", "sender", "timestamp") VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const ids: string[] = [];
    db.transaction(() => {
      for (const message of messages) {
        const { id, timestamp } = newMessageId();
        insert.run(id, message.sender, message.destination, message.message, sqliteDateTime(timestamp), id);
        receipt.run(`${id}.r`, id, message.destination, message.sender, message.sender, sqliteDateTime(timestamp));
        ids.push(id);
      }
    })();
    return ids;
  });
}
