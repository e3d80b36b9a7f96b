/**
 * The terminal client at its edges: what others send it (control characters, forged lines), what
 * it is asked to send (an overlong line, a send cut off by a dropped connection), scripts that end
 * at once, `!check` across pages and `!logout-everywhere`. The real client process against the
 * real server process; a TCP relay in between where a connection has to drop at a chosen moment.
 */
import { startTcpRelay } from "../support/tcp-relay";
import { api, closeAllSockets, connect, login, uniqueName, waitFor } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { insertRawMessage, insertRawMessages } from "../support/sqlite";
import { startClient, stopAllClients, type ClientProcess } from "./client-process";
import { CONTROL_CHARACTER } from "@/lib/contract/schemas";
import { offlineNotice } from "@/lib/contract/names";
import type { ChatMessage } from "@/lib/contract/payloads";

const PASSWORD = "correct horse";
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

async function chatAs(username: string, url = server.url): Promise<ClientProcess> {
  const client = startClient(["--url", url, "--username", username, "--password", PASSWORD]);
  await client.waitForLine(`Connected to ${url} as ${username}. Type !help for commands.`, 20_000);
  return client;
}

async function person(prefix: string): Promise<{ username: string; token: string }> {
  return login(server.url, uniqueName(prefix), PASSWORD);
}

async function historyBetween(a: { token: string }, b: string): Promise<ChatMessage[]> {
  return (await api(server.url, `/api/messages?with=${b}&limit=200`, { token: a.token })).body.messages;
}

describe("what others send cannot take over the terminal", () => {
  const FORGED = "[2026-01-01 00:00:00][carol] fake";
  const HOSTILE = `\u001b[2J\u001b]0;pwned\u0007hello\n${FORGED}\r\u009b31mred`;

  test("control characters print visibly and a second line cannot pass for another sender's", async () => {
    const mallory = await person("mallory");
    const bob = await person("bob");
    // Stored as it is, as a message from before the server refused control characters would be.
    insertRawMessage(server.databaseFile, { sender: mallory.username, destination: bob.username, message: HOSTILE });

    const client = await chatAs(bob.username);
    await client.waitForLine(/fake/);
    client.type(`!history ${mallory.username}`);
    await client.waitForLine(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]\[mallory\S*\] \\x1b\[2J/);
    client.endInput();
    expect(await client.exitCode()).toBe(0);

    const out = client.stdoutLines();
    expect(out.join("\n")).not.toMatch(CONTROL_CHARACTER);
    expect(out.some((line) => line.startsWith("[2026-01-01 00:00:00][carol]"))).toBe(false);
    expect(out.some((line) => line.includes("\\x1b]0;pwned\\x07hello"))).toBe(true);
    // The continuation is marked as part of mallory's message, and so is what followed the \r.
    expect(out).toContain(`  | ${FORGED}\\x0d\\x9b31mred'`);
  });

  test("a line with a control character is refused by the server with the reason", async () => {
    const bob = await person("bob");
    const alice = await chatAs(uniqueName("alice"));
    alice.type(`${bob.username}: look \u001b[2J`);
    alice.type(`${bob.username}: fine`);
    await alice.waitForLine(offlineNotice(bob.username));
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
    expect(alice.stderr()).toContain(
      `Could not send to '${bob.username}': message must not contain control characters (only newline and tab)`,
    );
  });
});

describe("sending", () => {
  test("each message carries a clientId", async () => {
    const bob = await person("bob");
    const aliceName = uniqueName("alice");
    const alice = await chatAs(aliceName);
    alice.type(`${bob.username}: with an id`);
    await alice.waitForLine(offlineNotice(bob.username));
    const [stored] = await historyBetween(bob, aliceName);
    expect(stored).toMatchObject({ message: "with an id", clientId: expect.stringMatching(/^.{8,64}$/) });
  });

  test("a send cut off by a dropped connection is sent again after the reconnect, with the same clientId", async () => {
    const relay = await startRelay(new URL(server.url).port);
    try {
      const bob = await person("bob");
      const aliceName = uniqueName("alice");
      const alice = await chatAs(aliceName, relay.url);
      alice.type("!help"); // answered once the client reads input, so everything since connecting has arrived
      await alice.waitForLine(/^!help +this list$/);

      relay.swallowReplies(); // the server gets the message; its ack never comes back
      alice.type(`${bob.username}: only once`);
      await waitFor(async () => (await historyBetween(bob, aliceName)).length === 1, 10_000);
      relay.dropConnections();

      await alice.waitForLine(offlineNotice(bob.username), 20_000);
      expect(alice.stderr()).toMatch(/Disconnected from .* Reconnecting…/);
      expect(alice.stderr()).not.toContain("no answer");
      const stored = await historyBetween(bob, aliceName);
      expect(stored.map((m) => m.message)).toEqual(["only once"]);
      alice.endInput();
      expect(await alice.exitCode()).toBe(0);
    } finally {
      await relay.close();
    }
  }, 45_000);

  test("a line over the length limit is refused locally, and the connection carries on", async () => {
    const bob = await person("bob");
    const alice = await chatAs(uniqueName("alice"));
    alice.type(`${bob.username}: ${"x".repeat(120_000)}`);
    alice.type(`${bob.username}: ${"y".repeat(4_000)}`);
    await alice.waitForLine(offlineNotice(bob.username));
    alice.endInput();
    expect(await alice.exitCode()).toBe(0);
    expect(alice.stderr()).toContain(
      `Could not send to '${bob.username}': the message is 120,000 characters long; the limit is 4,000`,
    );
    expect(alice.stderr()).not.toContain("Disconnected");
    expect(alice.stdoutLines().filter((line) => line === offlineNotice(bob.username))).toHaveLength(1);
  });
});

describe("scripts", () => {
  test("`exit` piped in at once still prints everything that was waiting", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    insertRawMessages(
      server.databaseFile,
      Array.from({ length: 300 }, (_, i) => ({ sender: alice.username, destination: bob.username, message: `m${i}` })),
    );
    const client = startClient(["--url", server.url, "--username", bob.username, "--password", PASSWORD]);
    client.type("exit");
    client.endInput();
    expect(await client.exitCode(20_000)).toBe(0);
    const stored = client.stdoutLines().filter((line) => line.startsWith("[Stored] "));
    expect(stored).toHaveLength(300);
    expect(stored[299]).toMatch(/'m299'$/);
  });

  test("!check follows every page to the end", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const client = await chatAs(bob.username);
    // Written straight to the store, so nothing is pushed live: only !check finds them.
    insertRawMessages(
      server.databaseFile,
      Array.from({ length: 1_100 }, (_, i) => ({
        sender: alice.username,
        destination: bob.username,
        message: `c${i}`,
      })),
    );
    client.type("!check");
    client.type("!check");
    client.endInput();
    expect(await client.exitCode(30_000)).toBe(0);
    const lines = client.stdoutLines();
    const stored = lines.filter((line) => line.startsWith("[Stored] "));
    expect(stored).toHaveLength(1_100);
    expect(stored[1_099]).toMatch(/'c1099'$/);
    expect(lines.at(-1)).toBe("No new messages.");
  });
});

describe("!logout-everywhere", () => {
  test("ends every session of the person, disconnects them, and exits", async () => {
    const aliceName = uniqueName("alice");
    const other = await login(server.url, aliceName, PASSWORD);
    const otherSocket = await connect(server.url, other.token);
    const client = await chatAs(aliceName);
    const otherGone = new Promise<string>((resolve) => otherSocket.socket.once("disconnect", resolve));

    client.type("!logout-everywhere");
    expect(await client.exitCode()).toBe(0);
    expect(client.stdoutLines()).toContain("Logged out everywhere.");
    expect(await otherGone).toBe("io server disconnect");
    expect((await api(server.url, "/api/session", { token: other.token })).status).toBe(401);
  });
});

/** A relay to the server that can stop passing the server's bytes back, and cut every connection. */
async function startRelay(targetPort: string) {
  let swallowing = false;
  const relay = await startTcpRelay(Number(targetPort), () => ({
    toClient: (chunk, send) => {
      if (!swallowing) send(chunk);
    },
  }));
  return {
    ...relay,
    swallowReplies: () => {
      swallowing = true;
    },
    dropConnections: () => {
      relay.dropConnections();
      swallowing = false;
    },
  };
}
