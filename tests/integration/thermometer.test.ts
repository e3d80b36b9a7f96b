/** The thermometer service through a real server with a short interval: commands by DM, readings by room. */
import { api, closeAllSockets, connect, login, sleep, type TestSocket } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";
import type { ChatMessage, ReadingEvent } from "@/lib/contract/payloads";

const DEVICE = "thermometer1";
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: { THERMOMETER_INTERVAL_MS: "100", THERMOMETER_REBOOT_MS: "300", THERMOMETERS: "thermometer1,greenhouse" },
  });
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server?.close();
  if (server) removeDatabase(server.databaseFile);
});

/** Sends a command as a DM and returns the device's first reply. */
async function command(socket: TestSocket, word: string, device = DEVICE): Promise<ChatMessage> {
  const ack = await socket.request("message:send", { destination: device, message: word });
  expect(ack).toMatchObject({ ok: true, message: { type: "command", destination: device } });
  return socket.next<ChatMessage>("message", (m) => m.sender === device);
}

const readingsOf = (socket: TestSocket, device = DEVICE) =>
  socket.next<ReadingEvent>("thermometer:reading", (r) => r.device === device);

test("subscribe: readings stream to every tab; unsubscribe: they stop", async () => {
  const alice = await login(server.url);
  const tab1 = await connect(server.url, alice.token);
  const tab2 = await connect(server.url, alice.token);

  const reply = await command(tab1, "subscribe");
  expect(reply).toMatchObject({
    type: "notification",
    message: `Subscribed to ${DEVICE}: a reading every 0.1 s.`,
    metadata: { device: DEVICE, command: "subscribe", subscribed: true },
  });
  for (const tab of [tab1, tab2]) {
    const reading = await readingsOf(tab);
    expect(reading).toEqual({ device: DEVICE, value: expect.any(Number), unit: "°C", timestamp: expect.any(String) });
    expect(reading.value).toBeGreaterThanOrEqual(15);
    expect(reading.value).toBeLessThanOrEqual(30);
  }
  expect(await tab2.next("thermometer:subscription")).toEqual({ device: DEVICE, subscribed: true });

  await command(tab1, "unsubscribe");
  await sleep(150); // a reading already on the wire may still land
  const after = tab1.collect<ReadingEvent>("thermometer:reading");
  await sleep(500);
  expect(after).toEqual([]);
});

test("a subscription survives reconnecting and only covers the device subscribed to", async () => {
  const alice = await login(server.url);
  const first = await connect(server.url, alice.token);
  await command(first, "subscribe", "greenhouse");
  first.close();

  const again = await connect(server.url, alice.token);
  expect((await readingsOf(again, "greenhouse")).device).toBe("greenhouse");
  const others = again.collect<ReadingEvent>("thermometer:reading");
  await sleep(400);
  expect(others.every((reading) => reading.device === "greenhouse")).toBe(true);
});

test("readings are a bounded random walk, not white noise", async () => {
  const bob = await login(server.url);
  await sleep(1_200);
  const { body } = await api(server.url, `/api/thermometers/${DEVICE}/readings?limit=10`, { token: bob.token });
  const values: number[] = body.readings.map((r: ReadingEvent) => r.value);
  expect(values).toHaveLength(10);
  const steps = values.slice(1).map((v, i) => Math.abs(v - values[i]!));
  expect(Math.max(...steps)).toBeLessThanOrEqual(15 * 0.03 + 0.01); // 2% of the 15 °C range, 1% pull to the middle, rounding
});

test("reboot: the device says it is rebooting, goes offline, comes back, and readings resume", async () => {
  const carol = await login(server.url);
  const socket = await connect(server.url, carol.token);
  await command(socket, "subscribe");
  await readingsOf(socket);

  const rebooting = await command(socket, "reboot");
  expect(rebooting).toMatchObject({ message: `${DEVICE} is rebooting…`, metadata: { status: "rebooting" } });
  expect(await socket.next("thermometer:status", (s) => s.status === "rebooting")).toEqual({
    device: DEVICE,
    status: "rebooting",
  });
  const users = (await api(server.url, "/api/users", { token: carol.token })).body.users;
  expect(users).toContainEqual(expect.objectContaining({ username: DEVICE, online: false, service: "thermometer" }));
  expect((await command(socket, "reboot")).message).toBe(`${DEVICE} is already rebooting.`);

  const back = await socket.next<ChatMessage>(
    "message",
    (m) => m.sender === DEVICE && m.message.includes("back online"),
    3_000,
  );
  expect(back.message).toBe(`${DEVICE} is back online.`);
  expect(await socket.next("thermometer:status", (s) => s.status === "running")).toEqual({
    device: DEVICE,
    status: "running",
  });
  const resumed = await socket.next<ReadingEvent>(
    "thermometer:reading",
    (r) => r.device === DEVICE && r.timestamp > back.timestamp,
  );
  expect(resumed.device).toBe(DEVICE);
});

test("range reports the configured bounds and the observed numbers of the stored readings", async () => {
  const dave = await login(server.url);
  const socket = await connect(server.url, dave.token);
  const reply = await command(socket, "range");
  const observed = reply.metadata!.observed as {
    min: number;
    max: number;
    last: number;
    count: number;
    from: string;
    to: string;
  };
  expect(reply.metadata).toMatchObject({ command: "range", configured: { min: 15, max: 30 }, unit: "°C" });

  const { body } = await api(server.url, `/api/thermometers/${DEVICE}/readings?limit=1000&since=${observed.from}`, {
    token: dave.token,
  });
  const window = (body.readings as ReadingEvent[]).filter((r) => r.timestamp <= observed.to).slice(-observed.count);
  const values = window.map((r) => r.value);
  expect(window).toHaveLength(observed.count);
  expect(observed.min).toBe(Math.min(...values));
  expect(observed.max).toBe(Math.max(...values));
  expect(observed.last).toBe(values[values.length - 1]);
  expect(reply.message).toBe(
    `${DEVICE} range: configured 15.0 to 30.0 °C; last ${observed.count} readings: ` +
      `min ${observed.min.toFixed(1)}, max ${observed.max.toFixed(1)}, last ${observed.last.toFixed(1)} °C.`,
  );
});

test("help and unknown commands get the list of commands", async () => {
  const erin = await login(server.url);
  const socket = await connect(server.url, erin.token);
  expect((await command(socket, "help")).message).toBe(
    `${DEVICE} understands: subscribe, unsubscribe, reboot, range, help.`,
  );
  expect((await command(socket, "make coffee")).message).toBe(
    `Unknown command 'make coffee'. ${DEVICE} understands: subscribe, unsubscribe, reboot, range, help.`,
  );
});

test("a command sent over HTTP while offline is answered, and the reply waits for the next connection", async () => {
  const frank = await login(server.url);
  const sent = await api(server.url, "/api/messages", {
    method: "POST",
    token: frank.token,
    json: { destination: DEVICE, message: "subscribe" },
  });
  expect(sent).toMatchObject({ status: 201, body: { online: true, message: { type: "command" } } });
  await sleep(300);

  const socket = await connect(server.url, frank.token);
  const reply = await socket.next<ChatMessage>("message", (m) => m.sender === DEVICE);
  expect(reply).toMatchObject({
    stored: true,
    type: "notification",
    message: `Subscribed to ${DEVICE}: a reading every 0.1 s.`,
  });
  expect((await readingsOf(socket)).device).toBe(DEVICE); // and the subscription took effect for the new socket
});

test("the devices API lists each device with status, range and the caller's subscription", async () => {
  const gina = await login(server.url);
  const socket = await connect(server.url, gina.token);
  await command(socket, "subscribe", "greenhouse");
  const { status, body } = await api(server.url, "/api/thermometers", { token: gina.token });
  expect(status).toBe(200);
  expect(body.thermometers).toEqual([
    {
      device: DEVICE,
      status: expect.stringMatching(/running|rebooting/),
      unit: "°C",
      range: { min: 15, max: 30 },
      subscribed: false,
      last: expect.objectContaining({ device: DEVICE }),
    },
    {
      device: "greenhouse",
      status: "running",
      unit: "°C",
      range: { min: 15, max: 30 },
      subscribed: true,
      last: expect.objectContaining({ device: "greenhouse" }),
    },
  ]);
});

test("the readings API is authenticated, bounded, validated, and 404s an unknown device", async () => {
  const hank = await login(server.url);
  expect((await api(server.url, `/api/thermometers/${DEVICE}/readings`)).status).toBe(401);
  const recent = await api(server.url, `/api/thermometers/${DEVICE}/readings?limit=3`, { token: hank.token });
  expect(recent.body.readings).toHaveLength(3);
  const times = recent.body.readings.map((r: ReadingEvent) => r.timestamp);
  expect([...times].sort()).toEqual(times); // newest last

  const since = times[1];
  const newer = await api(server.url, `/api/thermometers/${DEVICE}/readings?since=${since}`, { token: hank.token });
  expect(newer.body.readings.every((r: ReadingEvent) => r.timestamp >= since)).toBe(true);

  for (const query of ["limit=0", "limit=1001", "limit=ten", "since=yesterday", "colour=blue"]) {
    const response = await api(server.url, `/api/thermometers/${DEVICE}/readings?${query}`, { token: hank.token });
    expect(response.status).toBe(400);
    expect(typeof response.body.error).toBe("string");
  }
  const unknown = await api(server.url, "/api/thermometers/toaster/readings", { token: hank.token });
  expect(unknown).toMatchObject({ status: 404, body: { error: "no device named 'toaster'" } });
});

test("device names cannot be claimed by people", async () => {
  for (const username of [DEVICE, "greenhouse", "GreenHouse"]) {
    const response = await api(server.url, "/api/session", { method: "POST", json: { username, password: "pw" } });
    expect(response).toMatchObject({
      status: 403,
      body: { error: `'${username}' is a device name and cannot be claimed` },
    });
  }
});
