/**
 * Nothing is lost across a restart: the same SQLite file, a new server process. A real process,
 * because SIGTERM, the exit code and the shutdown around server/index.ts are what is tested.
 */
import { api, closeAllSockets, connect, login } from "../support/clients";
import {
  removeDatabase,
  startTestServerProcess,
  tempDatabaseFile,
  type ServerProcess,
} from "../support/server-process";
import type { ChatMessage, ReadingEvent } from "@/lib/contract/payloads";

const databaseFile = tempDatabaseFile();
let server: ServerProcess | undefined;

afterEach(() => closeAllSockets());
afterAll(async () => {
  await server?.stop();
  removeDatabase(databaseFile);
});

test("accounts, sessions, stored messages, history and subscriptions survive a restart; SIGTERM exits cleanly", async () => {
  server = await startTestServerProcess({ databaseFile });
  const alice = await login(server.url, "alice", "alice-pw");
  const bob = await login(server.url, "bob", "bob-pw");
  const aliceSocket = await connect(server.url, alice.token);
  await aliceSocket.request("message:send", { destination: "thermometer1", message: "subscribe" });
  await aliceSocket.next("message", (m: ChatMessage) => m.sender === "thermometer1");
  const waiting = await aliceSocket.request("message:send", {
    destination: bob.username,
    message: "see you after the restart",
  });
  expect(waiting).toMatchObject({ ok: true, online: false });
  aliceSocket.close();

  expect(await server.stop()).toBe(0);
  server = await startTestServerProcess({ databaseFile });

  // The password still guards the name, and the old session token still works.
  expect(
    (await api(server.url, "/api/session", { method: "POST", json: { username: "alice", password: "wrong" } })).status,
  ).toBe(401);
  expect((await api(server.url, "/api/session", { token: alice.token })).body).toEqual({ user: { username: "alice" } });

  const bobSocket = await connect(server.url, bob.token);
  expect(await bobSocket.next<ChatMessage>("message")).toMatchObject({
    id: waiting.message.id,
    message: "see you after the restart",
    stored: true,
  });

  const history = await api(server.url, "/api/messages?with=bob", { token: alice.token });
  expect(history.body.messages.map((m: ChatMessage) => m.message)).toEqual(["see you after the restart"]);

  const aliceAgain = await connect(server.url, alice.token);
  expect((await aliceAgain.next<ReadingEvent>("thermometer:reading")).device).toBe("thermometer1");
}, 90_000); // two server processes start here, each with its own migration run; on a busy machine that passed 30 s
