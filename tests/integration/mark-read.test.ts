/**
 * Opening a conversation with thousands of unread messages marks them all read, over HTTP and over the socket as
 * the page does: more than SQLite takes bound values in one query (999 in Prisma's SQLite queries).
 */
import Database from "better-sqlite3";
import { api, closeAllSockets, connect, login, sleep, type TestSocket } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";

let server: ServerProcess;

beforeAll(async () => {
  // 2,500 sends in a few seconds: far past the per-socket send limit, which has tests of its own.
  server = await startTestServerProcess({
    env: { SEND_LIMIT_PER_SOCKET: "1000000,1000000", SEND_LIMIT_PER_USER: "1000000,1000000" },
  });
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

const UNREAD = 2_500;

async function sendMany(socket: TestSocket, destination: string, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < UNREAD; start += 500) {
    const acks = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        socket.request("message:send", { destination, message: `${prefix} ${start + i}` }),
      ),
    );
    for (const ack of acks) {
      expect(ack.ok).toBe(true);
      ids.push(ack.message.id);
    }
  }
  return ids;
}

function unreadIn(file: string, sender: string, destination: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(`SELECT count(*) FROM "Receipt" WHERE "sender" = ? AND "recipient" = ? AND "readAt" IS NULL`)
      .pluck()
      .get(sender, destination) as number;
  } finally {
    db.close();
  }
}

test(`${UNREAD} unread messages are marked read over HTTP and over the socket, and the sender hears of each`, async () => {
  const alice = await login(server.url);
  const bob = await login(server.url);
  const aliceSocket = await connect(server.url, alice.token);
  const statuses = aliceSocket.collect<{ id: string; status: string }>("message:status");

  const overHttp = await sendMany(aliceSocket, bob.username, "http");
  const read = await api(server.url, "/api/messages/read", {
    method: "POST",
    token: bob.token,
    json: { with: alice.username },
  });
  expect(read.status).toBe(200);
  expect([...read.body.ids].sort()).toEqual([...overHttp].sort());
  expect(unreadIn(server.databaseFile, alice.username, bob.username)).toBe(0);

  const overSocket = await sendMany(aliceSocket, bob.username, "socket");
  const bobSocket = await connect(server.url, bob.token); // gets the backlog, delivering it, then opens the conversation
  const ack = await bobSocket.request("message:read", { with: alice.username });
  expect(ack.ok).toBe(true);
  expect([...ack.ids].sort()).toEqual([...overSocket].sort());
  expect(unreadIn(server.databaseFile, alice.username, bob.username)).toBe(0);

  const conversations = await api(server.url, "/api/conversations", { token: bob.token });
  expect(conversations.body.conversations).toEqual([expect.objectContaining({ peer: alice.username, unread: 0 })]);
  const deadline = Date.now() + 10_000;
  const readStatuses = () => new Set(statuses.filter((s) => s.status === "read").map((s) => s.id)).size;
  while (readStatuses() < 2 * UNREAD && Date.now() < deadline) await sleep(50);
  expect(readStatuses()).toBe(2 * UNREAD);
}, 120_000);
