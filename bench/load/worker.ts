/**
 * A load-generating client process: opens sockets with socket.io-client over WebSocket and drives
 * them as the harness asks. Load runs in processes of its own so the server under test keeps its
 * cores. A pair's sender and recipient always live in the same process, so one clock times both ends.
 */
import { performance } from "node:perf_hooks";
import { io, type Socket as ClientSocket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../lib/contract/events";
import type {
  BacklogResult,
  Client,
  Command,
  ConnectResult,
  LatencyResult,
  Pair,
  Reply,
  Request,
  ThroughputResult,
} from "./protocol";

/** The app's contract; the bare relay speaks the part of it the scenarios use. */
type Socket = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

/** Called for every message a socket receives that was addressed to it (not the sender's echo). */
type DeliveryListener = (text: string, at: number) => void;

const sockets = new Map<string, Socket>();
let onDelivery: DeliveryListener = () => {};
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openSocket(url: string, auth: object, cookie?: string): Socket {
  const extraHeaders = cookie ? { cookie } : undefined;
  return io(url, {
    auth,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 60_000,
    extraHeaders,
  });
}

/** Opens sockets, `concurrency` at a time; after `deadlineMs` no new ones are started (the rest are left out, not failed). */
async function connect(
  url: string,
  clients: Client[],
  concurrency: number,
  deadlineMs = Number.POSITIVE_INFINITY,
  affinityCookie = false,
): Promise<ConnectResult> {
  const connectMs: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const started = now();
  let next = 0;
  const connectOne = async (client: Client) => {
    const cookie = affinityCookie ? `chat_session=${client.token}` : undefined;
    const socket = openSocket(url, { token: client.token, username: client.username }, cookie);
    const opened = now();
    await new Promise<void>((resolve) => {
      socket.once("connect", () => {
        connectMs.push(now() - opened);
        resolve();
      });
      socket.once("connect_error", (error) => {
        failed += 1;
        firstError ??= error.message;
        socket.close();
        resolve();
      });
    });
    if (!socket.connected) return;
    socket.on("message", (message, ack?: () => void) => {
      const at = now();
      if (typeof ack === "function") ack();
      if (message.destination === client.username && message.message) onDelivery(message.message, at);
    });
    sockets.set(client.username, socket);
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, clients.length) }, async () => {
      while (next < clients.length && now() - started < deadlineMs) await connectOne(clients[next++]!);
    }),
  );
  return { connectMs, totalMs: now() - started, failed, firstError };
}

function socketOf(username: string): Socket {
  const socket = sockets.get(username);
  if (!socket) throw new Error(`no connected socket for ${username}`);
  return socket;
}

/** The text carries a sequence number so the recipient's side can find when it was sent. */
const textFor = (seq: number) => `bench message #${seq} ${"x".repeat(32)}`;
const seqOf = (text: string) => Number(/#(\d+)/.exec(text)?.[1] ?? -1);

async function throughput(
  pairs: Pair[],
  window: number,
  warmupMs: number,
  durationMs: number,
): Promise<ThroughputResult> {
  const started = now();
  const measureFrom = started + warmupMs;
  const stopAt = measureFrom + durationMs;
  const inWindow = (at: number) => at >= measureFrom && at < stopAt;
  let delivered = 0;
  let acked = 0;
  let errors = 0;
  let inFlight = 0;
  let seq = 0;
  onDelivery = (_text, at) => {
    if (inWindow(at)) delivered += 1;
  };
  const sendFrom = (socket: Socket, destination: string) => {
    if (now() >= stopAt) return;
    inFlight += 1;
    socket.emit("message:send", { destination, message: textFor(seq++) }, (reply) => {
      inFlight -= 1;
      if (!reply?.ok) errors += 1;
      else if (inWindow(now())) acked += 1;
      sendFrom(socket, destination);
    });
  };
  for (const [sender, recipient] of pairs) {
    const socket = socketOf(sender);
    for (let i = 0; i < window; i += 1) sendFrom(socket, recipient);
  }
  await sleep(stopAt - now());
  for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 20) await sleep(20); // let the tail land before the next phase
  await sleep(200);
  onDelivery = () => {};
  return { delivered, acked, measuredMs: durationMs, errors };
}

async function latency(
  pairs: Pair[],
  ratePerSec: number,
  warmupMs: number,
  durationMs: number,
): Promise<LatencyResult> {
  const sentAt = new Map<number, number>();
  const receiveMs: number[] = [];
  const ackMs: number[] = [];
  let errors = 0;
  let seq = 0;
  const started = now();
  const measureFrom = started + warmupMs;
  const stopAt = measureFrom + durationMs;
  onDelivery = (text, at) => {
    const sent = sentAt.get(seqOf(text));
    if (sent !== undefined && sent >= measureFrom) receiveMs.push(at - sent);
  };
  // Open loop: messages leave on schedule whether or not earlier ones were answered.
  while (now() < stopAt) {
    const due = Math.floor(((now() - started) * ratePerSec) / 1000);
    while (seq < due) {
      const [sender, recipient] = pairs[seq % pairs.length]!;
      const id = seq++;
      const sent = now();
      sentAt.set(id, sent);
      socketOf(sender).emit("message:send", { destination: recipient, message: textFor(id) }, (reply) => {
        if (!reply?.ok) errors += 1;
        else if (sent >= measureFrom) ackMs.push(now() - sent);
      });
    }
    await sleep(1);
  }
  await sleep(2_000); // stragglers; anything later counts as missing
  onDelivery = () => {};
  const sent = [...sentAt.values()].filter((at) => at >= measureFrom).length;
  return { sent, receiveMs, ackMs, errors };
}

async function backlog(
  url: string,
  client: Client,
  backlogFlag: boolean,
  expected: number,
  timeoutMs: number,
): Promise<BacklogResult> {
  const started = now();
  const auth = { token: client.token, username: client.username };
  const socket = openSocket(url, backlogFlag ? { ...auth, backlog: true } : auth);
  let received = 0;
  const finished = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    socket.on("message", (message, ack?: () => void) => {
      if (!message.stored) return;
      if (typeof ack === "function") ack();
      received += 1;
      if (received === expected) {
        clearTimeout(timer);
        resolve(now());
      }
    });
    socket.once("connect_error", () => resolve(undefined));
  });
  await sleep(500); // the last acks reach the server before the socket goes
  socket.close();
  return { ms: finished === undefined ? Number.NaN : finished - started, received };
}

async function disconnectAll(): Promise<null> {
  for (const socket of sockets.values()) socket.close();
  sockets.clear();
  await sleep(200);
  return null;
}

function run(command: Command): Promise<unknown> {
  switch (command.kind) {
    case "connect":
      return connect(command.url, command.clients, command.concurrency, command.deadlineMs, command.affinityCookie);
    case "throughput":
      return throughput(command.pairs, command.window, command.warmupMs, command.durationMs);
    case "latency":
      return latency(command.pairs, command.ratePerSec, command.warmupMs, command.durationMs);
    case "backlog":
      return backlog(command.url, command.client, command.backlogFlag, command.expected, command.timeoutMs);
    case "disconnect":
      return disconnectAll();
  }
}

process.on("message", (request: Request) => {
  const reply = (message: Reply) => process.send!(message);
  run(request.command).then(
    (result) => reply({ id: request.id, result }),
    (error: Error) => reply({ id: request.id, error: error.stack ?? error.message }),
  );
});
// The harness going away (even killed) closes the channel: stop rather than linger.
process.on("disconnect", () => process.exit(0));
process.send!({ id: 0, result: "ready" });
