/**
 * Every per-address budget counts an IPv6 address by its /64 against the real server: the edge's logins and
 * sign-ups, the Socket.IO handshakes, the sign-up limit and the password throttle. A host that owns a /64 gets
 * nothing new by moving to another address in it, or by spelling its address differently, while the next /64
 * along keeps a budget of its own. As in address-limits.test.ts, the server believes one proxy (TRUST_PROXY=1)
 * and each request names its address in X-Forwarded-For; each test spends the budgets of /64s no other test uses.
 */
import { io, type Socket } from "socket.io-client";
import { api, login, type Person, uniqueName } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";

const ACCOUNT_BURST = 6;
const CONNECT_BURST = 3;
const SIGNUPS = 2;
const PASSWORDS_PER_ADDRESS = 3;
let server: TestServer;
let person: Person;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      TRUST_PROXY: "1",
      // Refilling slowly enough that a test sees only what it spent.
      ACCOUNT_REQUESTS_PER_ADDRESS: `0.01,${ACCOUNT_BURST}`,
      CONNECTS_PER_ADDRESS: `0.01,${CONNECT_BURST}`,
      SIGNUPS_PER_ADDRESS: String(SIGNUPS),
      LOGIN_ATTEMPTS_PER_ADDRESS: String(PASSWORDS_PER_ADDRESS),
    },
  });
  person = await login(server.url); // from 127.0.0.1, a group of its own
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  // A polling client closes with a request of its own: let it reach the server before the server goes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await server.close();
  removeDatabase(server.databaseFile);
});

let networks = 0;
/** A /64 no other request in this file came from, as its prefix (`2001:db8:7:1:`), to append a host part to. */
const newNetwork = () => {
  networks += 1;
  return `2001:db8:${networks}:1:`;
};
/** The /64 right after `network`: a neighbour, not the same host. */
const nextNetworkAfter = (network: string) => network.replace(/:1:$/, ":2:");

function logIn(username: string, password: string, from: string) {
  return api(server.url, "/api/session", {
    method: "POST",
    json: { username, password },
    headers: { "x-forwarded-for": from },
  });
}

const ACCOUNT_REFUSAL = /^too many login or sign-up attempts from your address: try again in \d+ s$/;
const HANDSHAKE_REFUSAL = /^too many connections from your address: try again in \d+ s$/;

test("logins and sign-ups: the addresses of one /64 share its burst; the next /64 has its own", async () => {
  const network = newNetwork();
  const answers = [];
  // One request from each of ACCOUNT_BURST addresses, spelled every which way.
  for (let host = 1; host <= ACCOUNT_BURST; host += 1) {
    const from = host % 2 === 0 ? `${network}${host.toString(16)}::${host}`.toUpperCase() : `${network}0:0:0:${host}`;
    answers.push(await logIn(uniqueName("edge"), "pw", from));
  }
  expect(answers.filter((answer) => ACCOUNT_REFUSAL.test(answer.body?.error ?? ""))).toEqual([]);

  const another = await logIn(uniqueName("edge"), "pw", `${network}ffff:ffff:ffff:ffff`);
  expect(another.status).toBe(429);
  expect(another.body.error).toMatch(ACCOUNT_REFUSAL);
  const neighbour = await logIn(uniqueName("edge"), "pw", `${nextNetworkAfter(network)}:1`);
  expect(neighbour.body?.error ?? "").not.toMatch(ACCOUNT_REFUSAL);
});

const sockets = new Set<Socket>();

/** A handshake from `from`; resolves with "connected" or the refusal's message. */
function handshake(from: string): Promise<string> {
  const socket = io(server.url, {
    auth: { token: person.token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { "x-forwarded-for": from },
  });
  sockets.add(socket);
  return new Promise((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("connect_error", (error) => resolve(error.message));
  });
}

test("handshakes: different addresses of one /64 share its burst; the next /64 connects", async () => {
  const network = newNetwork();
  const answers: string[] = [];
  for (let host = 1; host <= CONNECT_BURST; host += 1) answers.push(await handshake(`${network}:${host}`));
  expect(answers).toEqual(Array.from({ length: CONNECT_BURST }, () => "connected"));

  expect(await handshake(`${network}abcd:ef01:2345:6789`)).toMatch(HANDSHAKE_REFUSAL);
  expect(await handshake(`${nextNetworkAfter(network)}:1`)).toBe("connected");
});

test("handshakes: an IPv4-mapped IPv6 address, in any spelling, spends its IPv4 address's budget", async () => {
  const answers: string[] = [];
  for (let i = 0; i < CONNECT_BURST; i += 1) answers.push(await handshake("198.51.100.9"));
  expect(answers).toEqual(Array.from({ length: CONNECT_BURST }, () => "connected"));
  // 198.51.100.9 is c633:6409: the same client, written as a proxy that speaks only IPv6 might.
  expect(await handshake("::ffff:c633:6409")).toMatch(HANDSHAKE_REFUSAL);
  expect(await handshake("198.51.100.10")).toBe("connected");
});

test("the sign-up limit counts a /64 as one address", async () => {
  const network = newNetwork();
  for (let host = 1; host <= SIGNUPS; host += 1) {
    expect((await logIn(uniqueName("signup"), "pw", `${network}:${host}`)).status).toBe(201);
  }
  const refused = await logIn(uniqueName("signup"), "pw", `${network}dead:beef::1`);
  expect(refused.status).toBe(429);
  expect(refused.body.error).toMatch(/^too many new accounts from your address: try again in \d+ min$/);
  expect((await logIn(uniqueName("signup"), "pw", `${nextNetworkAfter(network)}:1`)).status).toBe(201);
});

test("the password throttle counts a /64 as one address: guesses from new addresses in it stay locked", async () => {
  const owner = uniqueName("owner");
  expect((await logIn(owner, "the right one", "192.0.2.50")).status).toBe(201);
  const network = newNetwork();
  for (let host = 1; host <= PASSWORDS_PER_ADDRESS; host += 1) {
    expect((await logIn(owner, `guess ${host}`, `${network}:${host}`)).status).toBe(401);
  }
  // Even the right password waits out the lock from another address of the guesser's /64...
  const locked = await logIn(owner, "the right one", `${network}1234::5678`);
  expect(locked.status).toBe(429);
  expect(locked.body.error).toMatch(new RegExp(`^too many wrong passwords for '${owner}': try again in \\d+ s$`));
  // ...while the owner, from the next /64, is not locked out.
  expect((await logIn(owner, "the right one", `${nextNetworkAfter(network)}:1`)).status).toBe(200);
});
