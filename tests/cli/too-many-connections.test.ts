/**
 * The terminal client told "too many connections from your address: try again in N s": it says so once, waits the
 * N seconds and connects, on its first connection and on a reconnect, instead of exiting. The real client process
 * against the real server process with a tiny handshake budget per address; a TCP relay in between holds the
 * client's handshake while the test spends the budget from the same address (127.0.0.1), so the client meets an
 * empty budget whatever its start-up time.
 */
import { startTcpRelay } from "../support/tcp-relay";
import { io, type Socket } from "socket.io-client";
import { login, uniqueName, waitFor } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { startClient, stopAllClients, type ClientProcess } from "./client-process";
import { NO_NEW_MESSAGES } from "@/cli/format";

const PASSWORD = "correct horse";
/** One handshake at once, then one every two seconds: the client is told to wait 1 or 2 s. */
const CONNECTS_PER_ADDRESS = "0.5,1";
const HANDSHAKE_REFUSAL = /^too many connections from your address: try again in \d+ s$/;
const WAITING = /^Too many connections from your address to \S+: trying again in (\d+) s\.$/m;

let server: ServerProcess;
let spender: { token: string };
const spent = new Set<Socket>();

beforeAll(async () => {
  server = await startTestServerProcess({ env: { CONNECTS_PER_ADDRESS } });
  spender = await login(server.url, uniqueName("spender"), PASSWORD);
});
afterEach(async () => {
  for (const socket of spent) socket.disconnect();
  spent.clear();
  await stopAllClients();
});
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

/** Opens handshakes from 127.0.0.1 until the server refuses one for this address: the budget is empty then. */
async function spendHandshakeBudget(): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const answer = await new Promise<string>((resolve) => {
      const socket = io(server.url, {
        auth: { token: spender.token },
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      spent.add(socket);
      socket.once("connect", () => resolve("connected"));
      socket.once("connect_error", (error) => resolve(error.message));
    });
    if (HANDSHAKE_REFUSAL.test(answer)) return;
    expect(answer).toBe("connected");
  }
  throw new Error("the server never refused a handshake: is CONNECTS_PER_ADDRESS set?");
}

/** Resolves with the lines on the client's stderr that say it waits, once there are `count` of them. */
async function waitingLines(client: ClientProcess, count: number): Promise<string[]> {
  const lines = () => client.stderr().match(new RegExp(WAITING.source, "gm")) ?? [];
  await waitFor(() => lines().length >= count, 10_000);
  return lines();
}

test("refused on its first connection, the client says it waits, then connects after that many seconds", async () => {
  const relay = await startRelay(new URL(server.url).port);
  try {
    const username = uniqueName("alice");
    relay.holdHandshakes();
    const client = startClient(["--url", relay.url, "--username", username, "--password", PASSWORD]);
    await relay.handshakeHeld(20_000); // logged in; its handshake waits in the relay
    await spendHandshakeBudget();
    relay.release();

    const [waiting] = await waitingLines(client, 1);
    const toldAt = Date.now();
    const seconds = Number(WAITING.exec(waiting!)![1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(2);
    await client.waitForLine(`Connected to ${relay.url} as ${username}. Type !help for commands.`, 10_000);
    // It waited as told instead of trying at once (a little slack for the moment the line was read).
    expect(Date.now() - toldAt).toBeGreaterThanOrEqual(seconds * 1000 - 250);
    expect(await waitingLines(client, 1)).toHaveLength(1); // said once, not once per second

    client.endInput();
    expect(await client.exitCode()).toBe(0);
    expect(client.stderr()).not.toContain("Error:");
  } finally {
    await relay.close();
  }
}, 45_000);

test("refused on a reconnect, the client says it waits, then reconnects instead of exiting", async () => {
  const relay = await startRelay(new URL(server.url).port);
  try {
    const username = uniqueName("bob");
    const client = startClient(["--url", relay.url, "--username", username, "--password", PASSWORD]);
    await client.waitForLine(`Connected to ${relay.url} as ${username}. Type !help for commands.`, 20_000);

    relay.holdHandshakes();
    relay.dropConnections();
    await relay.handshakeHeld(10_000); // socket.io-client's own reconnect
    await spendHandshakeBudget();
    relay.release();

    const [waiting] = await waitingLines(client, 1);
    expect(waiting).toMatch(WAITING);
    await waitFor(() => client.stderr().includes(`Reconnected to ${relay.url}.`), 10_000);
    expect(client.stderr()).toMatch(/Disconnected from .* Reconnecting…/);

    // Connected for real: a request over the socket is answered.
    client.type("!check");
    await client.waitForLine(NO_NEW_MESSAGES);
    client.endInput();
    expect(await client.exitCode()).toBe(0);
    expect(client.stderr()).not.toContain("Error:");
  } finally {
    await relay.close();
  }
}, 45_000);

/**
 * A relay to the server that can hold back Socket.IO handshakes (the request opening a connection to /socket.io/)
 * until released, passing everything else through, and cut every connection.
 */
async function startRelay(targetPort: string) {
  let holding = false;
  const held: (() => void)[] = [];
  const relay = await startTcpRelay(Number(targetPort), () => {
    let first = true;
    let queued: Buffer[] | undefined;
    return {
      toServer: (chunk, send) => {
        if (first && holding && chunk.toString("latin1").startsWith("GET /socket.io/")) {
          queued = [];
          held.push(() => {
            for (const part of queued!) send(part);
            queued = undefined;
          });
        }
        first = false;
        if (queued) queued.push(chunk);
        else send(chunk);
      },
    };
  });
  return {
    ...relay,
    /** From now on, a new connection's handshake waits for `release`. */
    holdHandshakes: () => {
      holding = true;
    },
    handshakeHeld: (timeoutMs: number) => waitFor(() => held.length > 0, timeoutMs),
    /** Sends what was held on, and stops holding. */
    release: () => {
      holding = false;
      for (const send of held.splice(0)) send();
    },
  };
}
