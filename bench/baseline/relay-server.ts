/**
 * The baseline the app is measured against: the least a Socket.IO server can do for the same
 * traffic. It trusts `auth.username` (which the app ignores: it reads `auth.token`), relays `message:send` to the destination's room
 * `user:<name>` (asking for the recipient's ack, as the app does) and acks the sender at once —
 * no validation, no store, no delivery bookkeeping. A socket connecting with `auth.groups` joins `group:<name>`
 * for each, and a send to `#<name>` is one broadcast to that room (but the sender's), as the app's is.
 *
 * Two scenarios need a database in any honest comparison, so the relay also reads the app's SQLite
 * file with better-sqlite3 and hand-written SQL: the backlog (a socket connecting with
 * `auth.backlog: true` gets every undelivered message, all at once) and history pages
 * (`GET /history`, the same query the app runs, without Prisma, sessions or Next).
 *
 * With `RELAY_STORES_SENDS=1` it is the floor instead (stored-sends.ts): sends are stored before
 * they are acked and relayed, and delivery is marked and reported, with the least code that does so.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { openDatabase, type Row } from "./sqlite";
import { type Send, storeBeforeAck } from "./stored-sends";

const ACK_TIMEOUT_MS = 10_000;
const databaseFile = (process.env.DATABASE_URL ?? "").replace(/^file:/, "");
const db = openDatabase(databaseFile);

// Delivery state is per recipient (the Receipt table), as the app keeps it.
const undelivered = db.prepare(
  `SELECT "Message".* FROM "Receipt" JOIN "Message" ON "Message"."id" = "Receipt"."messageId"
   WHERE "Receipt"."recipient" = ? AND "Receipt"."deliveredAt" IS NULL
   ORDER BY "Receipt"."timestamp" ASC, "Receipt"."messageId" ASC`,
);
const messageById = db.prepare(`SELECT * FROM "Message" WHERE "id" = ?`);
// The same plan as the app's store: one index range scan per direction, merged, newest first.
const oneDirection = (cursor: string) =>
  `SELECT * FROM (SELECT * FROM "Message" WHERE "sender" = ? AND "destination" = ? ${cursor}
   ORDER BY "timestamp" DESC, "id" DESC LIMIT ?)`;
const BEFORE_CURSOR = `AND "timestamp" <= ? AND NOT ("timestamp" = ? AND "id" >= ?)`;
const latestPage = db.prepare(
  `${oneDirection("")} UNION ALL ${oneDirection("")} ORDER BY "timestamp" DESC, "id" DESC LIMIT ?`,
);
const pageBefore = db.prepare(
  `${oneDirection(BEFORE_CURSOR)} UNION ALL ${oneDirection(BEFORE_CURSOR)} ORDER BY "timestamp" DESC, "id" DESC LIMIT ?`,
);

function history(request: IncomingMessage, response: ServerResponse): void {
  const query = new URL(request.url ?? "/", "http://relay").searchParams;
  const [me, peer] = [query.get("as") ?? "", query.get("with") ?? ""];
  const limit = Number(query.get("limit") ?? 50);
  const before = query.get("before");
  let rows: Row[];
  if (before) {
    const cursor = messageById.get(before);
    if (!cursor) return void response.writeHead(400).end();
    const edge = [cursor.timestamp, cursor.timestamp, cursor.id];
    rows = pageBefore.all(me, peer, ...edge, limit, peer, me, ...edge, limit, limit);
  } else {
    rows = latestPage.all(me, peer, limit, peer, me, limit, limit);
  }
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ messages: rows.reverse() }));
}

const httpServer = createServer((request, response) => {
  if (request.url?.startsWith("/history")) return history(request, response);
  response.writeHead(404).end();
});
const io = new Server(httpServer, { maxHttpBufferSize: 64 * 1024 });
const room = (username: string) => `user:${username}`;

io.use((socket, next) => {
  socket.data.username = String(socket.handshake.auth.username);
  next();
});

const relay: Send = (sender, payload, ack) => {
  if (payload.destination.startsWith("#")) {
    io.to(`group:${payload.destination.slice(1)}`)
      .except(room(sender))
      .emit("message", { ...payload, sender });
    ack?.({ ok: true, online: true });
    return;
  }
  io.to(room(payload.destination))
    .timeout(ACK_TIMEOUT_MS)
    .emit("message", { ...payload, sender }, () => {});
  ack?.({ ok: true, online: true });
};
const send: Send = process.env.RELAY_STORES_SENDS === "1" ? storeBeforeAck(io, db, room) : relay;

io.on("connection", (socket) => {
  const username: string = socket.data.username;
  socket.join(room(username));
  const groups: unknown = socket.handshake.auth.groups;
  if (Array.isArray(groups)) socket.join(groups.map((group) => `group:${String(group)}`));
  socket.on("message:send", (payload, ack) => send(username, payload, ack));
  if (socket.handshake.auth.backlog) {
    for (const row of undelivered.all(username)) {
      socket.timeout(ACK_TIMEOUT_MS).emit("message", { ...row, stored: true }, () => {});
    }
  }
});

httpServer.listen(0, "127.0.0.1", () => {
  console.log(`> Relay ready on http://localhost:${(httpServer.address() as AddressInfo).port}`);
});
process.once("SIGTERM", () => {
  io.close();
  db.close();
  process.exit(0);
});
