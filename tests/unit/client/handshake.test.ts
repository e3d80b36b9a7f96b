/**
 * Refused handshakes, read by their code and never by their words, against a real Socket.IO server the test plays:
 * `unauthorized` signs out, `rate-limited` is tried again after the seconds the server gave, anything else is final.
 */
import { ChatClient, type ChatClientEvents } from "@/lib/client/chat-client";
import type { ErrorCode } from "@/lib/contract/codes";
import { sleep, waitFor } from "../../support/clients";
import { type ClientSocket, clientSocket, startBareServer } from "./bare-server";

let bare: Awaited<ReturnType<typeof startBareServer>>;
const sockets: ClientSocket[] = [];
const cores: ChatClient[] = [];

beforeEach(async () => {
  bare = await startBareServer();
});
afterEach(async () => {
  for (const core of cores.splice(0)) core.close();
  sockets.splice(0);
  await bare.close();
});

/** The server refuses the first `times` handshakes as the chat server does: words, and `data` with the code. */
function refuseHandshakes(times: number, words: string, code: ErrorCode, retryAfterSeconds?: number): () => number {
  let handshakes = 0;
  bare.server.use((_socket, next) => {
    handshakes += 1;
    if (handshakes > times) return next();
    const data = { error: words, code, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
    next(Object.assign(new Error(words), { data }));
  });
  return () => handshakes;
}

/** A client core whose every report is written down. */
function connect() {
  const socket = clientSocket(bare.url);
  sockets.push(socket);
  const reports: string[] = [];
  const events: ChatClientEvents = {
    message() {},
    connected: (again) => reports.push(again ? "reconnected" : "connected"),
    disconnected: (reason) => reports.push(`disconnected: ${reason}`),
    waiting: (seconds, refusal) => reports.push(`waiting ${seconds} s: ${refusal.error}`),
    signedOut: (refusal) => reports.push(`signed out: ${refusal.code}`),
    refused: (refusal) => reports.push(`refused: ${refusal.code}: ${refusal.error}`),
  };
  cores.push(new ChatClient(socket, { username: "alice", events }));
  socket.connect();
  return reports;
}

test("rate-limited: the client says it waits, tries again after the seconds given, and connects", async () => {
  // Words the client has never seen: only the code counts.
  refuseHandshakes(1, "slow down, friend", "rate-limited", 1);
  const startedAt = Date.now();
  const reports = connect();
  await waitFor(() => reports.includes("connected"), 5_000);
  expect(reports).toEqual(["waiting 1 s: slow down, friend", "connected"]);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
});

test("unauthorized signs out, and nothing is tried again", async () => {
  const handshakes = refuseHandshakes(Number.POSITIVE_INFINITY, "unauthorized", "unauthorized");
  const reports = connect();
  await waitFor(() => reports.length > 0);
  await sleep(300);
  expect(reports).toEqual(["signed out: unauthorized"]);
  expect(handshakes()).toBe(1);
});

test("any other refusal is final, whatever its words say", async () => {
  const words = "too many connections from your address: try again in 1 s"; // the old words, with another code
  const handshakes = refuseHandshakes(Number.POSITIVE_INFINITY, words, "too-many-connections");
  const reports = connect();
  await waitFor(() => reports.length > 0);
  await sleep(1_500);
  expect(reports).toEqual([`refused: too-many-connections: ${words}`]);
  expect(handshakes()).toBe(1);
});
