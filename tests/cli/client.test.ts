/**
 * The terminal client end to end: the real client process, fed through a pipe, against the real
 * server (started in this test file's process) on an ephemeral port with its own SQLite file.
 */
import net from "node:net";
import { api, closeAllSockets, connect, login, uniqueName, waitFor } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";
import { startClient, stopAllClients, type ClientProcess } from "./client-process";
import { offlineNotice } from "@/lib/contract/names";
import type { ChatMessage } from "@/lib/contract/payloads";
import { formatStored, formatTimestamp } from "@/cli/format";

const PASSWORD = "correct horse";
const TIMESTAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;

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

/** Starts the client as `username` and waits for its connected line. */
async function chatAs(username: string, url = server.url): Promise<ClientProcess> {
  const client = startClient(["--url", url, "--username", username, "--password", PASSWORD]);
  await client.waitForLine(`Connected to ${url} as ${username}. Type !help for commands.`, 20_000);
  return client;
}

/** A person who exists on the server (has logged in once) but is not connected. */
async function offlinePerson(): Promise<string> {
  return (await login(server.url, uniqueName("offline"), PASSWORD)).username;
}

describe("sending and receiving", () => {
  test("a message to someone offline prints the original notice, word for word", async () => {
    const bob = await offlinePerson();
    const alice = await chatAs(uniqueName("alice"));
    alice.type(`${bob}: hello`);
    expect(await alice.waitForLine(/offline/)).toBe(`User '${bob}' is offline. Message saved.`);
    expect(offlineNotice(bob)).toBe(`User '${bob}' is offline. Message saved.`);
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
  });

  test("messages that waited in the store print as [Stored] [timestamp][sender] 'text' on connect, in order", async () => {
    const alice = await login(server.url, uniqueName("alice"), PASSWORD);
    const bob = await offlinePerson();
    const aliceSocket = await connect(server.url, alice.token);
    const first = await aliceSocket.request("message:send", { destination: bob, message: "are you there?" });
    const second = await aliceSocket.request("message:send", { destination: bob, message: "call me" });
    expect([first.online, second.online]).toEqual([false, false]);

    const client = await chatAs(bob);
    const stored = new RegExp(String.raw`^\[Stored\] \[${TIMESTAMP}\]\[${alice.username}\] '.*'$`);
    await client.waitForLine(/call me/);
    expect(client.stdoutLines().filter((line) => stored.test(line))).toEqual([
      `[Stored] [${formatTimestamp(first.message.timestamp)}][${alice.username}] 'are you there?'`,
      `[Stored] [${formatTimestamp(second.message.timestamp)}][${alice.username}] 'call me'`,
    ]);
  });

  test("a live message between two clients prints as [timestamp][sender] text, and not as news to its sender", async () => {
    const aliceName = uniqueName("alice");
    const bobName = uniqueName("bob");
    const bob = await chatAs(bobName);
    const alice = await chatAs(aliceName);

    alice.type(`${bobName}: hi bob, it's live`);
    const line = await bob.waitForLine(/it's live/);
    expect(line).toMatch(new RegExp(String.raw`^\[${TIMESTAMP}\]\[${aliceName}\] hi bob, it's live$`));

    bob.type(`${aliceName}: hi alice`);
    await alice.waitForLine(new RegExp(String.raw`^\[${TIMESTAMP}\]\[${bobName}\] hi alice$`));
    expect(alice.stdoutLines().join("\n")).not.toContain("it's live"); // her own echo is not shown
    expect(alice.stdoutLines().join("\n")).not.toContain("offline");

    // Printing the message is what acknowledges it, so the server records it as delivered.
    const { token } = await login(server.url, aliceName, PASSWORD);
    const delivered = async () => {
      const history = await api(server.url, `/api/messages?with=${bobName}`, { token });
      return history.body.messages.map((m: ChatMessage) => m.deliveredAt !== null);
    };
    await waitFor(async () => (await delivered()).every(Boolean), 5_000);
    expect(await delivered()).toEqual([true, true]);
  });

  test("!check shows what was not received yet once, then says there is nothing new", async () => {
    const alice = await login(server.url, uniqueName("alice"), PASSWORD);
    const bob = await offlinePerson();
    const aliceSocket = await connect(server.url, alice.token);
    const sent = await aliceSocket.request("message:send", { destination: bob, message: "check this" });

    // The server also pushes the backlog on connect; whichever comes first, the message shows once.
    const client = startClient(["--url", server.url, "--username", bob, "--password", PASSWORD]);
    client.type("!check");
    client.type("!check");
    client.endInput();
    expect(await client.exitCode(20_000)).toBe(0);
    const lines = client.stdoutLines();
    expect(lines.filter((line) => line === formatStored(sent.message))).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe("No new messages.");
  });

  test("!who, !history and !help answer; unaddressed text and unknown commands get a hint on stderr", async () => {
    const aliceName = uniqueName("alice");
    const bobName = uniqueName("bob");
    const bob = await chatAs(bobName);
    const alice = await chatAs(aliceName);
    alice.type(`${bobName}: for the record`);
    await bob.waitForLine(/for the record/);

    alice.type("!who");
    expect(await alice.waitForLine(/^Online: /)).toContain(bobName);
    alice.type(`!history ${bobName}`);
    await alice.waitForLine(new RegExp(String.raw`^\[${TIMESTAMP}\]\[${aliceName}\] for the record$`));
    alice.type("!help");
    await alice.waitForLine(/^!check +fetch messages you have not seen yet$/);
    alice.type("just words");
    alice.type("!nonsense");
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
    expect(alice.stderr()).toContain("Who is it for? Write <user>: <text>");
    expect(alice.stderr()).toContain("Unknown command !nonsense.");
  });

  test("a send the server refuses prints its reason and the script goes on", async () => {
    const aliceName = uniqueName("alice");
    const alice = await chatAs(aliceName);
    alice.type("nobody_by_this_name: hello?");
    alice.type(`${aliceName}: talking to myself`);
    alice.type("!who");
    await alice.waitForLine(/^(Online: |Nobody else is online\.)/);
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
    expect(alice.stderr()).toContain("Could not send to 'nobody_by_this_name': no user named 'nobody_by_this_name'");
    expect(alice.stderr()).toContain(`Could not send to '${aliceName}': you cannot send a message to yourself`);
  });
});

describe("thermometer commands are plain messages to the device", () => {
  const reply = (text: string) => new RegExp(String.raw`^\[${TIMESTAMP}\]\[thermometer1\] ${text}`);
  const reading = new RegExp(String.raw`^\[${TIMESTAMP}\]\[thermometer1\] -?\d+(\.\d+)? °C$`);

  test("subscribe streams reading lines; range and unsubscribe reply like any message", async () => {
    const alice = await chatAs(uniqueName("alice"));
    alice.type("thermometer1: subscribe");
    await alice.waitForLine(reply("Subscribed to thermometer1"));
    await alice.waitForLine(reading);

    alice.type("thermometer1: range");
    await alice.waitForLine(reply("thermometer1 range: configured"));
    alice.type("thermometer1: unsubscribe");
    await alice.waitForLine(reply("Unsubscribed from thermometer1\\."));
    alice.type("thermometer1: dance");
    await alice.waitForLine(reply("Unknown command 'dance'\\. thermometer1 understands"));
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
    expect(alice.stdoutLines().join("\n")).not.toContain("offline");
  });

  test("a reboot is announced to the subscriber who asked, and readings resume", async () => {
    const alice = await chatAs(uniqueName("alice"));
    alice.type("thermometer1: subscribe");
    await alice.waitForLine(reading);
    alice.type("thermometer1: reboot");
    await alice.waitForLine(reply("thermometer1 is rebooting…"));
    await alice.waitForLine(reply("rebooting$"));
    await alice.waitForLine(reply("thermometer1 is back online\\."), 20_000);
    await alice.waitForLine(reply("running$"));
    const before = alice.stdoutLines().length;
    await waitFor(
      () =>
        alice
          .stdoutLines()
          .slice(before)
          .some((line) => reading.test(line)),
      10_000,
    );
    alice.type("thermometer1: unsubscribe");
    await alice.waitForLine(reply("Unsubscribed"));
  }, 45_000);
});

describe("starting and stopping", () => {
  test("`exit` disconnects with status 0 and nothing after it runs", async () => {
    const bob = await offlinePerson();
    const alice = await chatAs(uniqueName("alice"));
    alice.type("exit");
    alice.type(`${bob}: never sent`);
    expect(await alice.exitCode()).toBe(0);
    expect(alice.stdoutLines().join("\n")).not.toContain("offline");
  });

  test("the end of input exits with status 0 after the last ack", async () => {
    const bob = await offlinePerson();
    const client = startClient(["--url", server.url, "--username", uniqueName("alice"), "--password", PASSWORD]);
    client.type(`${bob}: one`);
    client.type(`${bob}: two`);
    client.endInput();
    expect(await client.exitCode(20_000)).toBe(0);
    expect(client.stdoutLines().filter((line) => line === offlineNotice(bob))).toHaveLength(2);
  });

  test("a script that ends right after a device command still prints the device's reply", async () => {
    const client = startClient(["--url", server.url, "--username", uniqueName("alice"), "--password", PASSWORD]);
    client.type("thermometer1: range");
    client.endInput();
    expect(await client.exitCode(20_000)).toBe(0);
    expect(
      client
        .stdoutLines()
        .some((line) => line.includes("[thermometer1] thermometer1 range: configured 15.0 to 30.0 °C")),
    ).toBe(true);
  });

  test("the password can come from CHAT_PASSWORD", async () => {
    const name = uniqueName("alice");
    await login(server.url, name, PASSWORD);
    const client = startClient(["--url", server.url, "--username", name], { env: { CHAT_PASSWORD: PASSWORD } });
    client.endInput();
    expect(await client.exitCode(20_000)).toBe(0);
    expect(client.stdoutLines()[0]).toBe(`Connected to ${server.url} as ${name}. Type !help for commands.`);
  });

  test("a wrong password exits non-zero with the reason on stderr", async () => {
    const name = uniqueName("alice");
    await login(server.url, name, PASSWORD);
    const client = startClient(["--url", server.url, "--username", name, "--password", "not it"]);
    expect(await client.exitCode(20_000)).not.toBe(0);
    expect(client.stderr()).toContain("wrong username or password");
    expect(client.stdoutLines()).toEqual([]);
  });

  test("no password and no terminal to ask on exits non-zero instead of waiting", async () => {
    const client = startClient(["--url", server.url, "--username", uniqueName("alice")]);
    expect(await client.exitCode(20_000)).not.toBe(0);
    expect(client.stderr()).toContain("no password");
  });

  test("a --url that is not an http(s) address is refused before anything is sent", async () => {
    const client = startClient(["--url", "localhost:3000", "--username", uniqueName("alice"), "--password", PASSWORD]);
    expect(await client.exitCode(20_000)).not.toBe(0);
    expect(client.stderr()).toContain("--url must be an http:// or https:// address");
  });

  test("an unreachable server exits non-zero with the reason on stderr", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = startClient(["--url", url, "--username", uniqueName("alice"), "--password", PASSWORD]);
    expect(await client.exitCode(20_000)).not.toBe(0);
    expect(client.stderr()).toContain(`cannot reach the server at ${url}`);
  });
});

describe("a dropped connection", () => {
  test("is reported, comes back by itself, and the client carries on", async () => {
    const bob = (await login(server.url, uniqueName("bob"), PASSWORD)).username;
    const alice = await chatAs(uniqueName("alice"));

    // The file's one server goes away and comes back on the same address with the same database.
    const port = new URL(server.url).port;
    await server.close();
    server = await startTestServer({ databaseFile: server.databaseFile, env: { PORT: port } });
    await waitFor(() => alice.stderr().includes(`Reconnected to ${server.url}.`), 20_000);
    expect(alice.stderr()).toMatch(/Disconnected from .* Reconnecting…/);

    alice.type(`${bob}: after the restart`);
    await alice.waitForLine(offlineNotice(bob));
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
  }, 45_000);
});

/** A port on 127.0.0.1 that nothing listens on: bound by us, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
