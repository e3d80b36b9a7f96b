/**
 * Another process holds SQLite's write lock (a real second connection, BEGIN IMMEDIATE) while the real server
 * serves: pages and reads keep answering, sends wait without freezing anything and either succeed once the lock
 * is released or fail within STORE_BUSY_TIMEOUT_MS with a clear "try again", nothing is acknowledged that is not
 * stored, and the server recovers by itself.
 */
import { api, closeAllSockets, connect, sleep } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { holdWriteLock, storedTexts, timed, warmPeople as people } from "../support/store-faults";

afterEach(() => closeAllSockets());

describe("a lock held for less than STORE_BUSY_TIMEOUT_MS", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startTestServerProcess({ env: { STORE_BUSY_TIMEOUT_MS: "8000" } });
  });
  afterAll(async () => {
    await server.stop();
    removeDatabase(server.databaseFile);
  });

  test("pages and reads answer while it is held; sends wait for it and are stored, none twice, none lost", async () => {
    const [alice, bob] = await people(server.url);
    const socket = await connect(server.url, alice.token);
    const lock = holdWriteLock(server.databaseFile, 2_500);

    const sends = Array.from({ length: 10 }, (_, i) =>
      i % 2
        ? timed(lock, () => socket.request("message:send", { destination: bob.username, message: `wait-${i}` }))
        : timed(lock, () =>
            api(server.url, "/api/messages", {
              method: "POST",
              token: alice.token,
              json: { destination: bob.username, message: `wait-${i}` },
            }),
          ),
    );
    await sleep(200);
    const page = await timed(lock, () =>
      fetch(`${server.url}/`).then(async (r) => ({ status: r.status, html: await r.text() })),
    );
    const users = await timed(lock, () => api(server.url, "/api/users", { token: alice.token }));
    const history = await timed(lock, () =>
      api(server.url, `/api/messages?with=${bob.username}`, { token: alice.token }),
    );
    console.log(
      `while another connection held the write lock: GET / ${page.ms} ms, GET /api/users ${users.ms} ms, ` +
        `GET /api/messages ${history.ms} ms`,
    );
    expect(page.result.status).toBe(200);
    expect(users.result.status).toBe(200);
    expect(history.result.status).toBe(200);
    expect([page.beforeRelease, users.beforeRelease, history.beforeRelease]).toEqual([true, true, true]);

    const results = await Promise.all(sends);
    await lock.released;
    const ok = results.map(({ result }) => ("status" in result ? result.status === 201 : result.ok === true));
    expect(ok).toEqual(results.map(() => true));
    expect(storedTexts(server.databaseFile, "wait-")).toEqual(Array.from({ length: 10 }, (_, i) => `wait-${i}`).sort());
  });
});

describe("a lock held for longer than STORE_BUSY_TIMEOUT_MS", () => {
  const BUSY_TIMEOUT_MS = 1_000;
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startTestServerProcess({ env: { STORE_BUSY_TIMEOUT_MS: String(BUSY_TIMEOUT_MS) } });
  });
  afterAll(async () => {
    await server.stop();
    removeDatabase(server.databaseFile);
  });

  test("sends fail within the bound with a clear 'try again', store nothing, and work again once it is released", async () => {
    const [alice, bob] = await people(server.url);
    const socket = await connect(server.url, alice.token);
    const lock = holdWriteLock(server.databaseFile, 4_000);

    const viaSocket = Array.from({ length: 6 }, (_, i) =>
      timed(lock, () => socket.request("message:send", { destination: bob.username, message: `late-s${i}` })),
    );
    const viaHttp = Array.from({ length: 6 }, (_, i) =>
      timed(lock, () =>
        api(server.url, "/api/messages", {
          method: "POST",
          token: alice.token,
          json: { destination: bob.username, message: `late-h${i}` },
        }),
      ),
    );
    await sleep(200);
    const page = await timed(lock, () => fetch(`${server.url}/`).then((r) => r.status));
    expect(page).toMatchObject({ result: 200, beforeRelease: true });

    const socketResults = await Promise.all(viaSocket);
    const httpResults = await Promise.all(viaHttp);
    console.log(
      `sends under a ${BUSY_TIMEOUT_MS} ms STORE_BUSY_TIMEOUT_MS settled after ${[...socketResults, ...httpResults]
        .map((r) => r.at)
        .join(", ")} ms; GET / ${page.ms} ms`,
    );
    for (const { result, beforeRelease, at } of socketResults) {
      expect(result).toEqual({ ok: false, error: "the store is busy: try again", code: "busy" });
      expect(beforeRelease).toBe(true);
      expect(at).toBeLessThan(BUSY_TIMEOUT_MS + 2_000);
    }
    for (const { result, beforeRelease, at } of httpResults) {
      expect(result).toMatchObject({ status: 503, body: { error: "the store is busy: try again" } });
      expect(beforeRelease).toBe(true);
      expect(at).toBeLessThan(BUSY_TIMEOUT_MS + 2_000);
    }

    await lock.released;
    expect(storedTexts(server.databaseFile, "late-")).toEqual([]);
    // It recovers by itself: the next send is stored and acknowledged.
    const after = await socket.request("message:send", { destination: bob.username, message: "late-after" });
    expect(after).toMatchObject({ ok: true, message: { message: "late-after" } });
    expect(storedTexts(server.databaseFile, "late-")).toEqual(["late-after"]);
  });
});
