/**
 * The client core against the real chat server (server/app.ts, started in this process): what the core
 * acknowledges is recorded delivered (a direct message from the backlog, a group message through
 * `message:received`), `check` is followed across the server's pages, and a session the server does not know signs out.
 */
import { ChatClient, type ChatClientEvents } from "@/lib/client/chat-client";
import type { ChatMessage } from "@/lib/contract/payloads";
import { api, login, uniqueName, waitFor } from "../../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../../support/server";
import { insertRawMessages } from "../../support/sqlite";
import { clientSocket } from "./bare-server";

let server: TestServer;
const cores: ChatClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const core of cores.splice(0)) core.close();
});
afterAll(async () => {
  await server?.close();
  if (server) removeDatabase(server.databaseFile);
});

/** A connected client core for `username` that writes down what it takes in and what it is told. */
async function coreFor(person: { username: string; token: string }) {
  const socket = clientSocket(server.url, person.token);
  const taken: ChatMessage[] = [];
  const told: string[] = [];
  const events: ChatClientEvents = {
    message: (message) => taken.push(message),
    connected: () => told.push("connected"),
    disconnected: () => {},
    waiting: () => {},
    signedOut: (refusal) => told.push(`signed out: ${refusal.code}`),
    refused: (refusal) => told.push(`refused: ${refusal.code}`),
  };
  const core = new ChatClient(socket, { username: person.username, events });
  cores.push(core);
  socket.connect();
  await waitFor(() => told.length > 0);
  return { core, taken, told };
}

const person = () => login(server.url, uniqueName("core"));

test("a message to someone offline arrives in their backlog and is recorded delivered once taken in", async () => {
  const [alice, bob] = [await person(), await person()];
  const sender = await coreFor(alice);
  const sent = await sender.core.outbox.send(bob.username, "you were away");
  expect(sent).toMatchObject({ ok: true, online: false });

  const receiver = await coreFor(bob);
  await receiver.core.backlogArrived(5_000);
  expect(receiver.taken).toEqual([expect.objectContaining({ message: "you were away", stored: true })]);
  const history = async () =>
    (await api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token })).body.messages;
  await waitFor(async () => (await history())[0].deliveredAt !== null);
});

test("a group message, which comes without an ack request, is recorded delivered for the member who took it", async () => {
  const [alice, bob] = [await person(), await person()];
  const team = uniqueName("team");
  const created = await api(server.url, "/api/groups", {
    method: "POST",
    token: alice.token,
    json: { name: team, members: [bob.username] },
  });
  expect(created.status).toBe(201);
  const receiver = await coreFor(bob);
  await receiver.core.backlogArrived(5_000);
  const sender = await coreFor(alice);

  const sent = await sender.core.outbox.send(`#${team}`, "hello team");
  if (!sent.ok) throw new Error(sent.failure.error);
  await waitFor(() => receiver.taken.some((m) => m.id === sent.message.id));
  const receipts = async () =>
    (await api(server.url, `/api/messages/${sent.message.id}/receipts`, { token: alice.token })).body.receipts;
  await waitFor(async () => (await receipts())[0]?.deliveredAt != null);
});

test("check follows the server's pages to the end, each message once", async () => {
  const [alice, bob] = [await person(), await person()];
  const receiver = await coreFor(bob);
  await receiver.core.backlogArrived(5_000);
  // Written straight to the store, so nothing is pushed live: only check finds them (500 to a page).
  const ids = insertRawMessages(
    server.databaseFile,
    Array.from({ length: 620 }, (_, i) => ({ sender: alice.username, destination: bob.username, message: `c${i}` })),
  );
  const pages: number[] = [];
  const found = await receiver.core.check((messages) => pages.push(messages.length));
  expect(pages).toEqual([500, 120]);
  expect(found.map((m) => m.id)).toEqual(ids);
  expect(receiver.taken).toEqual([]);
});

test("a session the server does not know signs out, by its code", async () => {
  const { told } = await coreFor({ username: "nobody", token: "not-a-token" });
  expect(told).toEqual(["signed out: unauthorized"]);
});
