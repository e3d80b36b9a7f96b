/**
 * Taking messages in, against a real Socket.IO server the test plays: the ack rule (acknowledged after being taken
 * in; a group message answered with `message:received`), each message taken in once, the backlog up to
 * `backlog:done`, and `check` followed page after page.
 */
import { ChatClient, type ChatClientEvents } from "@/lib/client/chat-client";
import { RefusedError } from "@/lib/client/refusals";
import type { ChatMessage } from "@/lib/contract/payloads";
import { waitFor } from "../../support/clients";
import { type BareServer, chatMessage, type ClientSocket, clientSocket, startBareServer } from "./bare-server";

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

/** A connected client core for alice that writes down what it takes in. */
function alice(events: Partial<ChatClientEvents> = {}) {
  const socket = clientSocket(bare.url);
  sockets.push(socket);
  const taken: ChatMessage[] = [];
  const core = new ChatClient(socket, {
    username: "alice",
    events: { ...quiet, message: (message) => taken.push(message), ...events },
  });
  socket.connect();
  return { core, taken };
}

/** A message pushed the way the server pushes an echo or a group's broadcast: without an ack request. */
type ServerSocket = Parameters<Parameters<BareServer["on"]>[1]>[0];
const pushWithoutAck = (socket: ServerSocket, message: ChatMessage) =>
  (socket.emit as (event: string, payload: ChatMessage) => boolean)("message", message);

test("a message is taken in, then acknowledged; delivered again, acknowledged again but not taken in twice", async () => {
  const log: string[] = [];
  const message = chatMessage();
  bare.server.on("connection", async (socket) => {
    for (const copy of ["first", "again"]) {
      await socket.timeout(2_000).emitWithAck("message", message);
      log.push(`${copy} acknowledged`);
    }
  });
  alice({ message: (taken) => log.push(`took ${taken.id}`) });
  await waitFor(() => log.length === 3);
  expect(log).toEqual([`took ${message.id}`, "first acknowledged", "again acknowledged"]);
});

test("a message the client fails to take in is not acknowledged, and is taken in when it comes again", async () => {
  const message = chatMessage();
  const answers: string[] = [];
  bare.server.on("connection", async (socket) => {
    for (let copy = 0; copy < 2; copy += 1) {
      await socket
        .timeout(300)
        .emitWithAck("message", message)
        .then(
          () => answers.push("acknowledged"),
          () => answers.push("no ack"),
        );
    }
  });
  let failing = true;
  const taken: string[] = [];
  // A take-in that throws, as a crash between receiving and showing would; the error stays in the listener.
  const socket = clientSocket(bare.url);
  sockets.push(socket);
  new ChatClient(socket, {
    username: "alice",
    events: {
      ...quiet,
      message(incoming) {
        if (failing) {
          failing = false;
          throw new Error("crashed while taking it in");
        }
        taken.push(incoming.id);
      },
    },
  });
  const listeners = socket.listeners("message");
  socket.off("message");
  socket.on("message", (...args: Parameters<(typeof listeners)[number]>) => {
    try {
      listeners[0]!(...args);
    } catch {}
  });
  socket.connect();
  await waitFor(() => answers.length === 2);
  expect(answers).toEqual(["no ack", "acknowledged"]);
  expect(taken).toEqual([message.id]);
});

test("a group message is answered with message:received after it was taken in; your own echo is not", async () => {
  const theirs = chatMessage({ destination: "#team" });
  const mine = chatMessage({ sender: "alice", destination: "#team" });
  const received: string[] = [];
  bare.server.on("connection", (socket) => {
    socket.on("message:received", ({ ids }) => received.push(...ids));
    pushWithoutAck(socket, mine);
    pushWithoutAck(socket, theirs);
  });
  const { taken } = alice();
  await waitFor(() => received.length === 1);
  expect(received).toEqual([theirs.id]);
  expect(taken.map((m) => m.id)).toEqual([mine.id, theirs.id]);
});

test("the backlog is taken in before backlogArrived resolves; a server that never says is waited for", async () => {
  const waiting = [chatMessage({ stored: true }), chatMessage({ stored: true })];
  let sayDone = true;
  bare.server.on("connection", async (socket) => {
    for (const message of waiting) await socket.timeout(2_000).emitWithAck("message", message);
    if (sayDone) socket.emit("backlog:done");
  });
  const first = alice();
  await first.core.backlogArrived(5_000);
  expect(first.taken.map((m) => m.id)).toEqual(waiting.map((m) => m.id));

  sayDone = false;
  const second = alice();
  const startedAt = Date.now();
  await second.core.backlogArrived(300);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
});

test("check follows `next` to the end, handing on each page's messages that did not arrive already", async () => {
  const live = chatMessage();
  const [a, b, c] = [chatMessage({ stored: true }), chatMessage({ stored: true }), chatMessage({ stored: true })];
  const asked: (string | undefined)[] = [];
  bare.server.on("connection", async (socket) => {
    socket.on("check", (payload, ack) => {
      asked.push(payload?.after);
      if (!payload?.after) ack({ ok: true, messages: [{ ...live, stored: true }, a!], next: "page-2" });
      else ack({ ok: true, messages: [b!, c!], next: null });
    });
    await socket.timeout(2_000).emitWithAck("message", live);
  });
  const { core, taken } = alice();
  await waitFor(() => taken.length === 1);
  const pages: string[][] = [];
  const found = await core.check((messages) => pages.push(messages.map((m) => m.id)));
  expect(asked).toEqual([undefined, "page-2"]);
  expect(pages).toEqual([[a!.id], [b!.id, c!.id]]);
  expect(found.map((m) => m.id)).toEqual([a!.id, b!.id, c!.id]);
  // Asked again, nothing is new.
  expect(await core.check(() => {})).toEqual([]);
});

test("a refused check page rejects with the refusal's code and words", async () => {
  bare.server.on("connection", (socket) =>
    socket.on("check", (_payload, ack) =>
      ack({ ok: false, error: "too many checks: slow down", code: "rate-limited", retryAfterSeconds: 1 }),
    ),
  );
  const { core } = alice();
  const refused = await core.check(() => {}).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(RefusedError);
  expect((refused as RefusedError).refusal).toEqual({
    error: "too many checks: slow down",
    code: "rate-limited",
    retryAfterSeconds: 1,
  });
});
