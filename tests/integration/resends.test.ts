/**
 * A clientId names one message of its sender, whichever door the sends come through and however they race: two
 * sockets and the HTTP API sending with one clientId at once store one row and all get that message back; a
 * clientId reused for other text or another destination is refused (409 / `{ok: false, error}`), not answered
 * with the old message as if it were the new one.
 */
import Database from "better-sqlite3";
import { api, closeAllSockets, connect, login } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";

let server: ServerProcess;

beforeAll(async () => {
  // Each race sends one message three times from one person, many times in a row: that is what resends look like,
  // not a flood, so the per-person send limit (which counts every door) is lifted here; it has tests of its own.
  server = await startTestServerProcess({
    env: { SEND_LIMIT_PER_USER: "1000000,1000000", SEND_LIMIT_PER_SOCKET: "1000000,1000000" },
  });
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

function rowsWithClientId(sender: string, clientId: string): number {
  const db = new Database(server.databaseFile, { readonly: true });
  try {
    return db
      .prepare(`SELECT count(*) FROM "Message" WHERE "sender" = ? AND "clientId" = ?`)
      .pluck()
      .get(sender, clientId) as number;
  } finally {
    db.close();
  }
}

test("two sockets and one HTTP send racing with one clientId store one message, and all three get it", async () => {
  const alice = await login(server.url);
  const bob = await login(server.url);
  const [tab1, tab2] = [await connect(server.url, alice.token), await connect(server.url, alice.token)];
  const TRIALS = 40;
  const doubled: { trial: number; rows: number }[] = [];
  const answeredWithOneMessage: boolean[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const payload = { destination: bob.username, message: `race ${trial}`, clientId: `race-${trial}` };
    const [first, second, overHttp] = await Promise.all([
      tab1.request("message:send", payload),
      tab2.request("message:send", payload),
      api(server.url, "/api/messages", { method: "POST", token: alice.token, json: payload }),
    ]);
    const rows = rowsWithClientId(alice.username, payload.clientId);
    if (rows !== 1) doubled.push({ trial, rows });
    expect([first.ok, second.ok, overHttp.status]).toEqual([true, true, 201]);
    answeredWithOneMessage.push(new Set([first.message.id, second.message.id, overHttp.body.message.id]).size === 1);
  }
  console.log(`clientId race: ${doubled.length} of ${TRIALS} trials stored more than one row`);
  expect(doubled).toEqual([]);
  expect(answeredWithOneMessage).toEqual(Array.from({ length: TRIALS }, () => true));
});

test("a clientId reused for other text or another destination is refused with 409, and nothing new is stored", async () => {
  const alice = await login(server.url);
  const bob = await login(server.url);
  const carol = await login(server.url);
  const socket = await connect(server.url, alice.token);
  const original = { destination: bob.username, message: "the original", clientId: "reused" };
  const first = await socket.request("message:send", original);
  expect(first).toMatchObject({ ok: true, message: { message: "the original", clientId: "reused" } });

  // The same send again is a resend: the stored message, not a second one.
  const resend = await api(server.url, "/api/messages", { method: "POST", token: alice.token, json: original });
  expect(resend).toMatchObject({ status: 201, body: { message: { id: first.message.id } } });

  const otherText = await api(server.url, "/api/messages", {
    method: "POST",
    token: alice.token,
    json: { ...original, message: "something else" },
  });
  expect(otherText).toEqual(
    expect.objectContaining({
      status: 409,
      body: { error: "clientId 'reused' was already used for another message", code: "conflict" },
    }),
  );
  const otherDestination = await socket.request("message:send", { ...original, destination: carol.username });
  expect(otherDestination).toEqual({
    ok: false,
    error: "clientId 'reused' was already used for another message",
    code: "conflict",
  });

  expect(rowsWithClientId(alice.username, "reused")).toBe(1);
  const history = await api(server.url, `/api/messages?with=${carol.username}`, { token: alice.token });
  expect(history.body.messages).toEqual([]);
  // Another sender may use the same clientId for their own message.
  const fromBob = await api(server.url, "/api/messages", {
    method: "POST",
    token: bob.token,
    json: { ...original, destination: alice.username },
  });
  expect(fromBob.status).toBe(201);
});
