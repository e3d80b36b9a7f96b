/**
 * The floor under a store-before-ack server: the relay, plus the least work that keeps the promise
 * "nothing is acknowledged before it is stored" and tells the sender it was delivered. Each send
 * is inserted with the others of the same tick in one transaction (raw SQL, no ORM), and only then
 * acked and relayed; the recipient's ack queues a delivery mark, written the same way, after which
 * the sender gets a status packet. No validation, sessions, idempotency, conversation list or
 * per-recipient bookkeeping: whatever the app spends beyond this is the cost of its features.
 *
 * The rows go to a table of its own, so the floor does not change when the app's schema does.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "socket.io";
import type { Database } from "./sqlite";

const ACK_TIMEOUT_MS = 10_000;

interface PendingSend {
  id: string;
  sender: string;
  destination: string;
  message: string;
  timestamp: string;
  ack?: (reply: object) => void;
}

interface PendingMark {
  id: string;
  sender: string;
}

/** Work gathered during one tick and written in one transaction on the next, as the app's group commit does. */
class Batch<T> {
  private items: T[] = [];
  constructor(private readonly write: (items: T[]) => void) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const items = this.items;
    this.items = [];
    this.write(items);
  }
}

/** What the server does with one `message:send` from `sender`. */
export type Send = (
  sender: string,
  payload: { destination: string; message: string },
  ack?: (reply: object) => void,
) => void;

/** Prepares the table and returns what a `message:send` does on the floor. */
export function storeBeforeAck(io: Server, db: Database, room: (username: string) => string): Send {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.prepare(
    `CREATE TABLE IF NOT EXISTS "FloorMessage" ("id" TEXT PRIMARY KEY, "sender" TEXT NOT NULL,
     "destination" TEXT NOT NULL, "message" TEXT NOT NULL, "timestamp" TEXT NOT NULL, "deliveredAt" TEXT)`,
  ).run();
  // The one index a backlog needs: what is still waiting for a person, oldest first.
  db.prepare(
    `CREATE INDEX IF NOT EXISTS "FloorMessage_backlog" ON "FloorMessage" ("destination", "deliveredAt", "timestamp", "id")`,
  ).run();
  const insert = db.prepare(
    `INSERT INTO "FloorMessage" ("id", "sender", "destination", "message", "timestamp") VALUES (?, ?, ?, ?, ?)`,
  );
  const markDelivered = db.prepare(
    `UPDATE "FloorMessage" SET "deliveredAt" = ? WHERE "id" = ? AND "deliveredAt" IS NULL`,
  );

  const marks = new Batch<PendingMark>((items) => {
    const at = new Date().toISOString();
    db.transaction(() => {
      for (const { id } of items) markDelivered.run(at, id);
    })();
    for (const { id, sender } of items) io.to(room(sender)).emit("message:status", { id, status: "delivered" });
  });

  const sends = new Batch<PendingSend>((items) => {
    db.transaction(() => {
      for (const s of items) insert.run(s.id, s.sender, s.destination, s.message, s.timestamp);
    })();
    for (const { ack, ...message } of items) {
      ack?.({ ok: true, online: true, message });
      io.to(room(message.destination))
        .timeout(ACK_TIMEOUT_MS)
        .emit("message", message, (error: Error | null) => {
          if (!error) marks.add({ id: message.id, sender: message.sender });
        });
    }
  });

  return (sender, payload, ack) => {
    const timestamp = new Date().toISOString();
    sends.add({ id: randomUUID(), sender, destination: payload.destination, message: payload.message, timestamp, ack });
  };
}
