/**
 * Password guessing and sign-up floods against the real server. The server believes one proxy (TRUST_PROXY=1), so
 * each request says which address it comes from in X-Forwarded-For, as a proxy in front of it would.
 */
import { api, sleep, uniqueName } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";

const PER_NAME = 20;
let server: ServerProcess;

beforeAll(async () => {
  server = await startTestServerProcess({
    env: { TRUST_PROXY: "1", LOGIN_ATTEMPTS_PER_NAME: String(PER_NAME), SIGNUPS_PER_ADDRESS: "10" },
  });
});
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

let addresses = 0;
/** An address no other request in this file came from. */
const newAddress = () => {
  addresses += 1;
  return `198.51.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
};

function logIn(username: string, password: string, from: string) {
  return api(server.url, "/api/session", {
    method: "POST",
    json: { username, password },
    headers: { "x-forwarded-for": from },
  });
}

async function claim(from = newAddress()): Promise<string> {
  const username = uniqueName("owner");
  expect((await logIn(username, "the right one", from)).status).toBe(201);
  return username;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

test("50 wrong passwords at once from one address: at most 5 are checked, the rest refused unchecked", async () => {
  const username = await claim();
  const guesser = newAddress();
  const statuses = (
    await Promise.all(Array.from({ length: 50 }, (_, i) => logIn(username, `guess ${i}`, guesser)))
  ).map((r) => r.status);
  console.log(
    `50 concurrent wrong passwords: ${count(statuses, 401)} checked (401), ${count(statuses, 429)} refused (429), ` +
      `${count(statuses, 503)} told the server is busy (503)`,
  );
  expect(count(statuses, 401)).toBeLessThanOrEqual(5);
  // Refused without a check: locked (429), or beyond the queue for a turn to hash (503).
  expect(count(statuses, 401) + count(statuses, 429) + count(statuses, 503)).toBe(50);
  // The guesser's address stays locked, even with the right password.
  const locked = await logIn(username, "the right one", guesser);
  expect(locked.status).toBe(429);
  expect(locked.body.error).toMatch(new RegExp(`^too many wrong passwords for '${username}': try again in \\d+ s$`));
});

test("a guesser locked out on one address does not lock the owner out on another", async () => {
  const username = await claim();
  const guesser = newAddress();
  for (let i = 0; i < 6; i += 1) await logIn(username, `guess ${i}`, guesser);
  expect((await logIn(username, "the right one", guesser)).status).toBe(429);
  expect((await logIn(username, "the right one", newAddress())).status).toBe(200);
});

test(`guesses at one name from many addresses stop after ${PER_NAME} wrong passwords in a row`, async () => {
  const username = await claim();
  const statuses: number[] = [];
  for (let i = 0; i < PER_NAME + 10; i += 1) statuses.push((await logIn(username, `guess ${i}`, newAddress())).status);
  expect(count(statuses, 401)).toBe(PER_NAME);
  expect(statuses.slice(PER_NAME)).toEqual(Array.from({ length: 10 }, () => 429));
});

test("one address creates at most 10 accounts an hour; other addresses still can", async () => {
  const from = newAddress();
  const statuses = (await Promise.all(Array.from({ length: 30 }, () => logIn(uniqueName("signup"), "pw", from)))).map(
    (r) => r.status,
  );
  expect(count(statuses, 201)).toBe(10);
  expect(count(statuses, 429)).toBe(20);
  const refused = await logIn(uniqueName("signup"), "pw", from);
  expect(refused).toMatchObject({
    status: 429,
    body: { error: expect.stringMatching(/^too many new accounts from your address: try again in \d+ min$/) },
  });
  expect((await logIn(uniqueName("signup"), "pw", newAddress())).status).toBe(201);
});

test("200 sign-ups at once from 200 addresses: the page keeps answering, the overflow hears 'busy, try again'", async () => {
  // Warm the page up, so what is measured is the flood, not a first render.
  await fetch(`${server.url}/`).then((r) => r.text());
  let done = false;
  const pageTimes: number[] = [];
  const measure = (async () => {
    while (!done) {
      const start = Date.now();
      const response = await fetch(`${server.url}/`);
      await response.text();
      expect(response.status).toBe(200);
      pageTimes.push(Date.now() - start);
      await sleep(50);
    }
  })();
  const results = await Promise.all(Array.from({ length: 200 }, () => logIn(uniqueName("flood"), "pw", newAddress())));
  done = true;
  await measure;
  const statuses = results.map((r) => r.status);
  console.log(
    `200 concurrent sign-ups: ${count(statuses, 201)} created, ${count(statuses, 503)} told busy; ` +
      `GET / meanwhile: ${pageTimes.length} requests, slowest ${Math.max(...pageTimes)} ms`,
  );
  expect(count(statuses, 201) + count(statuses, 503)).toBe(200);
  expect(count(statuses, 201)).toBeGreaterThan(0);
  expect(count(statuses, 503)).toBeGreaterThan(0); // 200 at once cannot all have had a turn to hash
  for (const result of results.filter((r) => r.status === 503)) {
    expect(result.body).toEqual({ error: "the server is busy: try again", code: "busy" });
  }
  expect(Math.max(...pageTimes)).toBeLessThan(5_000); // generous: the figures belong to bench/hardening.ts
});
