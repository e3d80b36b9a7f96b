/**
 * The terminal client for people named like Object.prototype's members. The client keeps what it
 * waits for by sender and the devices it follows by name, so these names must be names to it too.
 */
import { closeAllSockets, connect, login } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { startClient, stopAllClients, type ClientProcess } from "./client-process";
import { offlineNotice } from "@/lib/contract/names";

const PASSWORD = "correct horse";
const TIMESTAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
const live = (sender: string, text: string) => new RegExp(String.raw`^\[${TIMESTAMP}\]\[${sender}\] ${text}$`);

let server: ServerProcess;

beforeAll(async () => {
  server = await startTestServerProcess();
});
afterEach(async () => {
  closeAllSockets();
  await stopAllClients();
});
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

async function chatAs(username: string): Promise<ClientProcess> {
  const client = startClient(["--url", server.url, "--username", username, "--password", PASSWORD]);
  await client.waitForLine(`Connected to ${server.url} as ${username}. Type !help for commands.`, 20_000);
  return client;
}

test("constructor, __proto__, toString, hasOwnProperty and valueOf chat live, stored and in !history", async () => {
  await login(server.url, "toString", PASSWORD); // exists, stays offline
  const hasOwn = await login(server.url, "hasOwnProperty", PASSWORD);
  const proto = await chatAs("__proto__");
  const ctor = await chatAs("constructor");

  ctor.type("__proto__: hi from constructor");
  await proto.waitForLine(live("constructor", "hi from constructor"));
  proto.type("constructor: hi back");
  await ctor.waitForLine(live("__proto__", "hi back"));

  const socket = await connect(server.url, hasOwn.token);
  await socket.request("message:send", { destination: "__proto__", message: "and from hasOwnProperty" });
  await proto.waitForLine(live("hasOwnProperty", "and from hasOwnProperty"));

  ctor.type("toString: are you there?");
  expect(await ctor.waitForLine(/offline/)).toBe(offlineNotice("toString"));
  proto.type("!who");
  const online = (await proto.waitForLine(/^Online: /)).slice("Online: ".length).split(", ");
  expect(online).toEqual(expect.arrayContaining(["constructor", "hasOwnProperty"]));
  proto.type("!history constructor");
  await proto.waitForLine(live("__proto__", "hi back"));

  const value = await chatAs("valueOf");
  value.type("toString: and me");
  expect(await value.waitForLine(/offline/)).toBe(offlineNotice("toString"));
  value.endInput();
  expect(await value.exitCode()).toBe(0);

  const text = await chatAs("toString");
  await text.waitForLine(/^\[Stored\] .*'and me'$/);
  const stored = text.stdoutLines().filter((line) => line.startsWith("[Stored]"));
  expect(stored).toHaveLength(2);
  expect(stored[0]).toMatch(/\]\[constructor\] 'are you there\?'$/);
  expect(stored[1]).toMatch(/\]\[valueOf\] 'and me'$/);
});
