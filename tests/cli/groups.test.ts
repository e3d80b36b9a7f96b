/**
 * Groups in the terminal client: the real client process against the real server (in this test file's process)
 * with its own SQLite file. `#team: text` sends, group messages print with the group's name, `!groups` and
 * `!group …` manage them, and control characters stay escaped.
 */
import { api, closeAllSockets, connect, login, uniqueName } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";
import { startClient, stopAllClients, type ClientProcess } from "./client-process";
import { formatTimestamp } from "@/cli/format";
import { insertRawMessage } from "../support/sqlite";

const PASSWORD = "correct horse";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  closeAllSockets();
  await stopAllClients();
});
afterAll(async () => {
  await server?.close();
  if (server) removeDatabase(server.databaseFile);
});

/** Resolves once stderr contains `text` (errors go there). */
async function errorLine(client: ClientProcess, text: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!client.stderr().includes(text)) {
    if (Date.now() > end) throw new Error(`no '${text}' on stderr; it has: ${client.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function chatAs(username: string): Promise<ClientProcess> {
  const client = startClient(["--url", server.url, "--username", username, "--password", PASSWORD]);
  await client.waitForLine(`Connected to ${server.url} as ${username}. Type !help for commands.`, 20_000);
  return client;
}

test("create a group, send to it, receive live and stored, list, add, remove and leave", async () => {
  const [aliceName, team] = [uniqueName("alice"), uniqueName("team")];
  const bob = await login(server.url, uniqueName("bob"), PASSWORD);
  const carol = await login(server.url, uniqueName("carol"), PASSWORD);
  const dan = await login(server.url, uniqueName("dan"), PASSWORD);
  const alice = await chatAs(aliceName);

  alice.type(`!group create ${team} ${bob.username} ${carol.username}`);
  expect(await alice.waitForLine(/^Created #/)).toBe(`Created #${team}.`);

  // Bob is online (a socket), carol is not: alice's line reaches bob live and waits for carol.
  const bobSocket = await connect(server.url, bob.token);
  alice.type(`#${team}: hello team`);
  const live = await bobSocket.next("message", (m) => m.message === "hello team");
  expect(live).toMatchObject({ sender: aliceName, destination: `#${team}` });

  // A member's message prints with the group's name.
  const fromBob = await bobSocket.request("message:send", { destination: `#${team}`, message: "hi from bob" });
  expect(await alice.waitForLine(/hi from bob/)).toBe(
    `[${formatTimestamp(fromBob.message.timestamp)}][#${team}][${bob.username}] hi from bob`,
  );

  // Carol connects later and gets what waited, marked stored.
  const carolClient = await chatAs(carol.username);
  const storedLine = await carolClient.waitForLine(/hi from bob/);
  expect(storedLine).toBe(
    `[Stored] [${formatTimestamp(fromBob.message.timestamp)}][#${team}][${bob.username}] 'hi from bob'`,
  );

  alice.type("!groups");
  expect(await alice.waitForLine(new RegExp(`^#${team}:`))).toMatch(
    new RegExp(`^#${team}: ${aliceName} \\(owner\\) \\*, ${bob.username} \\*, ${carol.username} \\*$`),
  );

  alice.type(`!group add ${team} ${dan.username}`);
  expect(await alice.waitForLine(/^Added /)).toBe(`Added ${dan.username} to #${team}.`);
  alice.type(`!group remove ${team} ${carol.username}`);
  expect(await alice.waitForLine(/^Removed /)).toBe(`Removed ${carol.username} from #${team}.`);
  expect(await carolClient.waitForLine(/removed/)).toMatch(
    `[#${team}][${aliceName}] ${aliceName} removed ${carol.username}`,
  );

  // Carol is out: her line to the group is refused.
  carolClient.type(`#${team}: still here?`);
  await errorLine(carolClient, `Could not send to '#${team}': no group named '${team}'`);
  carolClient.type(`!group leave ${team}`);
  await errorLine(carolClient, `Error: no group named '${team}'`);
  alice.type(`!group leave ${team}`);
  expect(await alice.waitForLine(/^You left/)).toBe(`You left #${team}.`);
  const after = await api(server.url, `/api/groups/${team}`, { token: bob.token });
  expect(after.body.group.owner).toBe(bob.username); // the longest-standing member took over
});

test("bad group commands say how to use them; control characters from the store stay escaped", async () => {
  const name = uniqueName("eve");
  const bob = await login(server.url, uniqueName("bob"), PASSWORD);
  const eve = await chatAs(name);
  eve.type("!group create");
  await errorLine(eve, "Usage: !group create <name> <user>");
  eve.type(`!group create ${uniqueName("g")} nobody_at_all`);
  await errorLine(eve, "Error: no user named 'nobody_at_all'");

  const team = uniqueName("team");
  eve.type(`!group create ${team} ${bob.username}`);
  await eve.waitForLine(/^Created #/);
  const groups = await api(server.url, "/api/groups", { token: bob.token });
  expect(groups.body.groups.map((g: { name: string }) => g.name)).toEqual([team]);
  // A message stored before the server refused control characters, waiting for eve.
  insertRawMessage(server.databaseFile, { sender: bob.username, destination: name, message: "\u001b[2Jgone" });
  eve.type("!check");
  expect(await eve.waitForLine(/gone/)).toContain("\\x1b[2Jgone");
  // Group messages are escaped the same way (the sender's name and the group's are printed through one path).
  const bobSocket = await connect(server.url, bob.token);
  await bobSocket.request("message:send", { destination: `#${team}`, message: "tab\there" });
  expect(await eve.waitForLine(/tab/)).toMatch(new RegExp(`\\[#${team}\\]\\[${bob.username}\\] tab\there$`));
});
