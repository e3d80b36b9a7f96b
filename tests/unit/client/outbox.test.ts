/**
 * The outbox against a real Socket.IO server the test plays: a clientId per send, the states a send goes through,
 * a send cut off by a dropped connection sent again under the same clientId, the bound on attempts, the ack
 * timeout, the wait for a connection, and which refusals may be retried.
 */
import { ChatClient, type ChatClientEvents } from "@/lib/client/chat-client";
import { Outbox, type OutboxChange, type SendOutcome } from "@/lib/client/outbox";
import type { SendAck } from "@/lib/contract/events";
import type { SendMessageInput } from "@/lib/contract/schemas";
import { chatMessage, type ClientSocket, clientSocket, startBareServer } from "./bare-server";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let bare: Awaited<ReturnType<typeof startBareServer>>;
const sockets: ClientSocket[] = [];

beforeEach(async () => {
  bare = await startBareServer();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  await bare.close();
});

const quiet: ChatClientEvents = {
  message() {},
  connected() {},
  disconnected() {},
  waiting() {},
  signedOut() {},
  refused() {},
};

/** The server's answer to a send it stored. */
const stored = (payload: SendMessageInput): SendAck => ({
  ok: true,
  message: chatMessage({ sender: "alice", ...payload }),
  online: false,
});

/** A client core on a fresh socket, with every outbox change written down as its kind or state. */
function client(options: { connectionWaitMs?: number } = {}) {
  const socket = clientSocket(bare.url);
  sockets.push(socket);
  const changes: string[] = [];
  const record = (change: OutboxChange) => changes.push(change.kind === "state" ? change.entry.state : change.kind);
  const core = new ChatClient(socket, { username: "alice", events: { ...quiet, outbox: record }, ...options });
  return { socket, core, changes };
}

function failed(outcome: SendOutcome) {
  if (outcome.ok) throw new Error(`sent: ${outcome.message.id}`);
  return outcome;
}

test("a send gets a clientId of its own, waits for the connection, and resolves with the stored message", async () => {
  const payloads: SendMessageInput[] = [];
  bare.server.on("connection", (socket) =>
    socket.on("message:send", (payload, ack) => {
      payloads.push(payload);
      ack(stored(payload));
    }),
  );
  const { socket, core, changes } = client();
  const outcome = core.outbox.send("bob", "hello"); // before there is a connection
  socket.connect();
  expect(await outcome).toMatchObject({ ok: true, online: false, message: { message: "hello" } });
  expect(payloads).toEqual([{ destination: "bob", message: "hello", clientId: expect.stringMatching(UUID) }]);
  expect(changes).toEqual(["added", "sending", "sent"]);
});

test("a send cut off by a dropped connection goes again on the next one, under the same clientId", async () => {
  const clientIds: string[] = [];
  bare.server.on("connection", (socket) =>
    socket.on("message:send", (payload, ack) => {
      clientIds.push(payload.clientId!);
      // Stored, say, but the answer is lost with the connection.
      if (clientIds.length === 1) socket.conn.close();
      else ack(stored(payload));
    }),
  );
  const { socket, core, changes } = client();
  socket.connect();
  expect(await core.outbox.send("bob", "only once")).toMatchObject({ ok: true });
  expect(clientIds).toHaveLength(2);
  expect(clientIds[1]).toBe(clientIds[0]);
  expect(changes).toEqual(["added", "sending", "queued", "sending", "sent"]);
});

test("a send is made at most `attempts` times, then fails without an answer", async () => {
  let sends = 0;
  bare.server.on("connection", (socket) =>
    socket.on("message:send", () => {
      sends += 1;
      socket.conn.close();
    }),
  );
  const socket = clientSocket(bare.url);
  sockets.push(socket);
  const outbox = new Outbox(socket, { ackTimeoutMs: 5_000, attempts: 3 });
  socket.on("connect", () => outbox.connected()); // as the client core does
  socket.connect();
  const outcome = failed(await outbox.send("bob", "lost"));
  expect(outcome.failure).toEqual({
    code: "no-answer",
    error: "no answer from the server within 5 s",
    retryable: true,
  });
  expect(sends).toBe(3);
});

test("connected and unanswered, a send fails after the ack timeout, and may be retried", async () => {
  let answering = false;
  bare.server.on("connection", (socket) =>
    socket.on("message:send", (payload, ack) => {
      if (answering) ack(stored(payload));
    }),
  );
  const socket = clientSocket(bare.url);
  sockets.push(socket);
  const outbox = new Outbox(socket, { ackTimeoutMs: 200, attempts: 5 });
  socket.connect();
  await new Promise((resolve) => socket.once("connect", () => resolve(undefined)));
  const outcome = failed(await outbox.send("bob", "hello?"));
  expect(outcome.failure).toEqual({
    code: "no-answer",
    error: "no answer from the server within 0.2 s",
    retryable: true,
  });
  answering = true;
  expect(await outbox.retry(outcome.clientId)).toMatchObject({ ok: true, message: { message: "hello?" } });
});

test("a refusal fails the send with the server's code and words; only a passing code may be retried", async () => {
  const answers: SendAck[] = [
    { ok: false, error: "no user named 'nobody'", code: "not-found" },
    { ok: false, error: "the store is busy: try again", code: "busy" },
  ];
  bare.server.on("connection", (socket) =>
    socket.on("message:send", (payload, ack) => ack(answers.shift() ?? stored(payload))),
  );
  const { socket, core } = client();
  socket.connect();

  const final = failed(await core.outbox.send("nobody", "hi"));
  expect(final.failure).toEqual({ code: "not-found", error: "no user named 'nobody'", retryable: false });
  expect(core.outbox.retry(final.clientId)).toBeUndefined();

  const passing = failed(await core.outbox.send("bob", "hi"));
  expect(passing.failure).toEqual({ code: "busy", error: "the store is busy: try again", retryable: true });
  expect(await core.outbox.retry(passing.clientId)).toMatchObject({ ok: true });
});

test("given a limit on waiting for a connection, a send that waited longer fails and is never sent later", async () => {
  let sends = 0;
  bare.server.on("connection", (socket) =>
    socket.on("message:send", (payload, ack) => {
      sends += 1;
      ack(stored(payload));
    }),
  );
  const { socket, core, changes } = client({ connectionWaitMs: 200 });
  const outcome = failed(await core.outbox.send("bob", "too late"));
  expect(outcome.failure).toEqual({
    code: "not-connected",
    error: "not connected to the server (waited 0.2 s)",
    retryable: true,
  });
  socket.connect();
  await new Promise((resolve) => socket.once("connect", () => resolve(undefined)));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(sends).toBe(0);
  expect(changes).toEqual(["added", "failed"]);
});
