/**
 * The edge's budgets per client address against the real server: logins and sign-ups (POST /api/session) and
 * Socket.IO handshakes past the budget are refused at the edge with a clear reason, and every other address goes
 * on as before. The server believes one proxy (TRUST_PROXY=1), so each request names its address in
 * X-Forwarded-For, as a proxy in front of it would; the budgets are small here and refill slowly, so a test sees
 * only what it spent.
 */
import { io, type Socket } from "socket.io-client";
import { api, login, type Person, uniqueName } from "../support/clients";
import { startTestServer, type TestServer, removeDatabase } from "../support/server";

const BURST = 5;
let server: TestServer;
let person: Person;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      TRUST_PROXY: "1",
      ACCOUNT_REQUESTS_PER_ADDRESS: `0.01,${BURST}`,
      CONNECTS_PER_ADDRESS: `0.01,${BURST}`,
    },
  });
  person = await login(server.url); // from 127.0.0.1, an address of its own
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  // A polling client closes with a request of its own: let it reach the server before the server goes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await server.close();
  removeDatabase(server.databaseFile);
});

let addresses = 0;
/** An address no other request in this file came from. */
const newAddress = () => {
  addresses += 1;
  return `203.0.113.${addresses}`;
};

function logIn(username: string, password: string, from: string) {
  return api(server.url, "/api/session", {
    method: "POST",
    json: { username, password },
    headers: { "x-forwarded-for": from },
  });
}

const ACCOUNT_REFUSAL = /^too many login or sign-up attempts from your address: try again in \d+ s$/;

describe("logins and sign-ups per address", () => {
  test("a flood of logins from one address is refused 429 at the edge past its burst; another address logs in", async () => {
    const flooder = newAddress();
    const owner = uniqueName("owner");
    expect((await logIn(owner, "the right one", newAddress())).status).toBe(201);

    const answers = await Promise.all(Array.from({ length: 30 }, () => logIn(owner, "a guess", flooder)));
    const refused = answers.filter((answer) => answer.body?.error?.match(ACCOUNT_REFUSAL));
    // The burst reaches the route (wrong passwords: 401, or the login throttle's own 429); the rest never does.
    expect(refused).toHaveLength(30 - BURST);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect(answers.filter((answer) => !refused.includes(answer)).map((answer) => answer.status)).not.toContain(200);

    // The owner, from an address of their own, is not held up by the flood.
    expect((await logIn(owner, "the right one", newAddress())).status).toBe(200);
  });

  test("sign-ups share the door: past the burst, no name is claimed from that address", async () => {
    const flooder = newAddress();
    const names = Array.from({ length: 12 }, () => uniqueName("spam"));
    const answers = await Promise.all(names.map((name) => logIn(name, "pw", flooder)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(BURST);
    expect(answers.filter((answer) => ACCOUNT_REFUSAL.test(answer.body?.error ?? ""))).toHaveLength(12 - BURST);
    // A refused name is still free: someone else claims it.
    const refusedName = names[answers.findIndex((answer) => answer.status === 429)]!;
    expect((await logIn(refusedName, "mine now", newAddress())).status).toBe(201);
  });

  test("only logins and sign-ups count: the session itself and other routes answer as usual", async () => {
    const flooder = newAddress();
    const spent = await Promise.all(Array.from({ length: BURST + 1 }, () => logIn(uniqueName("x"), "pw", flooder)));
    expect(spent.at(-1)?.status).toBe(429);
    const headers = { "x-forwarded-for": flooder };
    expect((await api(server.url, "/api/session", { token: person.token, headers })).status).toBe(200);
    expect((await api(server.url, "/api/users", { token: person.token, headers })).status).toBe(200);
  });

  test("the path is compared as the router would route it: case, slashes and query do not slip past", async () => {
    const flooder = newAddress();
    const variants = ["/api/session", "/api/session?x=1", "/api//session", "/API/session", "/api/sessio%6E"];
    const statuses: number[] = [];
    for (let i = 0; i < BURST + variants.length; i += 1) {
      // Raw fetch: a variant Next does not route answers with its HTML page, not JSON.
      const response = await fetch(server.url + variants[i % variants.length]!, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": flooder },
        body: JSON.stringify({ username: uniqueName("v"), password: "pw" }),
      });
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses.slice(BURST)).toEqual(variants.map(() => 429));
  });
});

const sockets = new Set<Socket>();

/** A handshake from `from`; resolves with "connected" or the refusal's message. */
function handshake(token: string, from: string, transport: "websocket" | "polling" = "websocket"): Promise<string> {
  const socket = io(server.url, {
    auth: { token },
    transports: [transport],
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

const HANDSHAKE_REFUSAL = /^too many connections from your address: try again in \d+ s$/;

describe("handshakes per address", () => {
  test("a handshake flood from one address is refused with a clear reason; another address connects", async () => {
    const flooder = newAddress();
    const answers = await Promise.all(Array.from({ length: 40 }, () => handshake(person.token, flooder)));
    expect(answers.filter((answer) => answer === "connected")).toHaveLength(BURST);
    // The first refusals say why (the client's connect_error); past those the flood is cut off before Socket.IO.
    const told = answers.filter((answer) => HANDSHAKE_REFUSAL.test(answer));
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(told.length + BURST).toBeLessThanOrEqual(40);
    expect(await handshake(person.token, newAddress())).toBe("connected");
  });

  test("past the told refusals, Engine.IO answers at once, with the reason in the body", async () => {
    const flooder = newAddress();
    const answers: string[] = [];
    for (let i = 0; i < BURST + 10; i += 1) answers.push(await handshake(person.token, flooder));
    expect(answers.slice(0, BURST)).toEqual(Array.from({ length: BURST }, () => "connected"));
    expect(answers[BURST]).toMatch(HANDSHAKE_REFUSAL);
    const response = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { "x-forwarded-for": flooder },
    });
    expect(response.status).toBe(403);
    expect((await response.json()).message).toMatch(HANDSHAKE_REFUSAL);
    // A polling client is counted the same way.
    expect(await handshake(person.token, flooder, "polling")).not.toBe("connected");
    expect(await handshake(person.token, newAddress(), "polling")).toBe("connected");
  });
});
