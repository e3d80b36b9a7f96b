/**
 * Three instances behind nginx under a steady send load. `kill -9` of the instance running thermometer1: clients
 * reconnect through nginx, every send lands in the store exactly once and reaches its recipient, the dead instance's
 * people go offline for everyone within the stated bound, and another instance takes thermometer1 over within its
 * bound without two of them ever writing readings at once. Then a graceful stop hands the device over at once.
 */
import type { PresenceEvent } from "@/lib/contract/payloads";
import { api, closeAllSockets, connect, login, type Person, uniqueName } from "../support/clients";
import { Receiver, Sender } from "./support/clients";
import { eventually, instanceAnswering, startCluster, TEST_SETTINGS, type TestCluster } from "./support/cluster";

const LEASE_TTL_MS = Number(TEST_SETTINGS.DEVICE_LEASE_TTL_MS);
const INSTANCE_TIMEOUT_MS = Number(TEST_SETTINGS.INSTANCE_TIMEOUT_MS);
const INTERVAL_MS = Number(TEST_SETTINGS.THERMOMETER_INTERVAL_MS);
/** The stated bounds (README, docs/architecture.md), with a second of slack for a loaded test machine. */
const PRESENCE_BOUND_MS = INSTANCE_TIMEOUT_MS + INSTANCE_TIMEOUT_MS / 3 + 250 + 1_000;
const FAILOVER_BOUND_MS = LEASE_TTL_MS + LEASE_TTL_MS / 5 + INTERVAL_MS + 1_000;

let cluster: TestCluster;
const senders: Sender[] = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  cluster = await startCluster({ instances: 3, nginx: true });
});
afterAll(async () => {
  for (const client of [...senders, ...receivers]) client.close();
  closeAllSockets();
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("kill -9 of the leader under load: reconnects, every send once, presence and thermometer1 within bounds", async () => {
  const url = cluster.nginx!.url;
  const PAIRS = 8;
  // nginx places each session by its cookie; the kill must hit some of the senders, so two of them are sessions
  // that nginx sends to the leader (found by asking nginx, with each session's cookie, which instance answers).
  const leader = await eventually("a leader", () => cluster.leader());
  const leaderId = await instanceAnswering(leader.url);
  const onLeader: Person[] = [];
  const elsewhere: Person[] = [];
  for (let tries = 0; (onLeader.length < 2 || elsewhere.length < PAIRS - 2) && tries < 60; tries++) {
    const person = await login(url, uniqueName("s"));
    const placed = (await instanceAnswering(url, person.token)) === leaderId ? onLeader : elsewhere;
    placed.push(person);
  }
  expect(onLeader.length).toBeGreaterThanOrEqual(2);
  const sendersPlaced = [...onLeader.slice(0, 2), ...elsewhere].slice(0, PAIRS);
  for (let i = 0; i < PAIRS; i++) {
    const sender = sendersPlaced[i]!;
    const receiver = await login(url, uniqueName("r"));
    // Half of them on the polling transport, which only works with nginx's affinity.
    const transport = i % 2 === 0 ? "websocket" : "polling";
    senders.push(new Sender(url, sender.username, sender.token, transport));
    receivers.push(new Receiver(url, receiver.username, receiver.token, transport));
  }
  await Promise.all(receivers.map((receiver) => receiver.connected()));
  const subscriber = receivers[0]!;
  await subscriber.socket
    .timeout(5_000)
    .emitWithAck("message:send", { destination: "thermometer1", message: "subscribe" });
  await eventually("readings", () => subscriber.readings.length > 2);

  expect(cluster.leader()).toBe(leader);
  const survivor = cluster.instances.find((instance) => instance !== leader)!;
  // Someone connected only to the leader, who will not come back, and someone watching from another instance.
  const ghost = await login(leader.url, uniqueName("ghost"));
  await connect(leader.url, ghost.token);
  const observer = await login(survivor.url, uniqueName("observer"));
  const watching = await connect(survivor.url, observer.token);
  const presence = watching.collect<PresenceEvent[]>("presence");

  for (const [i, sender] of senders.entries())
    sender.start([receivers[i]!.username, receivers[(i + 1) % PAIRS]!.username], 50);
  await sleep(2_000);

  const killedAt = Date.now();
  await leader.kill();

  const offlineAt = await eventually("the ghost offline", () => {
    const last = presence
      .flat()
      .filter((event) => event.username === ghost.username)
      .at(-1);
    return last?.online === false ? Date.now() : undefined;
  });
  const newLeader = await eventually("a new leader", () => cluster.leader());
  const resumed = await eventually("readings again", () =>
    subscriber.readings.find((reading) => Date.parse(reading.timestamp) > killedAt),
  );
  const lastBefore = subscriber.readings.filter((reading) => Date.parse(reading.timestamp) <= killedAt).at(-1)!;
  const presenceMs = offlineAt - killedAt;
  const readingGapMs = Date.parse(resumed.timestamp) - Date.parse(lastBefore.timestamp);
  console.log(`kill -9: offline for everyone after ${presenceMs} ms; readings paused for ${readingGapMs} ms`);
  expect(presenceMs).toBeLessThan(PRESENCE_BOUND_MS);
  expect(readingGapMs).toBeLessThan(FAILOVER_BOUND_MS);
  expect(newLeader).not.toBe(leader);

  await sleep(2_000);
  for (const sender of senders) sender.stop();
  await Promise.all(senders.map((sender) => sender.settle()));
  const total = (count: (sender: Sender) => number) => senders.reduce((sum, sender) => sum + count(sender), 0);
  console.log(
    `${total((s) => s.sent)} sends, ${total((s) => s.resends)} resent, ${total((s) => s.disconnects)} disconnects`,
  );
  expect(total((sender) => sender.disconnects)).toBeGreaterThan(0); // the kill hit clients
  await sleep(500);
  await Promise.all(receivers.map((receiver) => receiver.check()));

  for (const sender of senders) {
    // Every send is stored exactly once, under the id its acknowledgement named.
    const rows = cluster.query<{ id: string; clientId: string; destination: string }>(
      'SELECT id, clientId, destination FROM "Message" WHERE sender = ?',
      sender.username,
    );
    expect(rows).toHaveLength(sender.sent);
    expect(new Set(rows.map((row) => row.clientId)).size).toBe(sender.sent);
    for (const row of rows) expect(sender.acked.get(row.clientId)).toBe(row.id);
    // ...and reached its recipient, once: one id per send (a client shows an id once).
    for (const row of rows) {
      const receiver = receivers.find((r) => r.username === row.destination)!;
      expect(receiver.seen.has(row.id)).toBe(true);
    }
  }
  for (const receiver of receivers) {
    const sends = [...receiver.seen.values()].map(({ message }) => `${message.sender}/${message.clientId}`);
    expect(new Set(sends).size).toBe(sends.length);
  }

  // Never two writers: consecutive readings are an interval apart, never closer than half of one.
  const readings = cluster.query<{ timestamp: string }>(
    `SELECT timestamp FROM "Reading" WHERE device = 'thermometer1' ORDER BY timestamp`,
  );
  const gaps = readings
    .slice(1)
    .map((reading, i) => Date.parse(reading.timestamp) - Date.parse(readings[i]!.timestamp));
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
  // The subscription held across the failover and the reconnect.
  const { body } = await api(url, "/api/thermometers", { token: (await login(url, subscriber.username)).token });
  expect(body.thermometers[0]).toMatchObject({ subscribed: true, status: "running" });
});

test("a graceful stop of the leader releases thermometer1 at once; its clients move to another instance", async () => {
  const leader = await eventually("a leader", () => cluster.leader());
  const subscriber = receivers[0]!;
  const before = subscriber.readings.length;
  const stoppedAt = Date.now();
  expect(await leader.stop()).toBe(0);
  const next = await eventually("another leader", () => cluster.leader());
  const tookOverMs = Date.now() - stoppedAt;
  console.log(`graceful stop: thermometer1 moved in ${tookOverMs} ms (including the instance's own shutdown)`);
  expect(next).not.toBe(leader);
  expect(leader.output()).toContain("SIGTERM");
  // Readings go on for the subscriber, wherever nginx put it.
  await eventually("readings after the handover", () => subscriber.readings.length > before + 3);
  const [sender] = senders;
  sender!.start([receivers[0]!.username], 100);
  await sleep(1_000);
  sender!.stop();
  await sender!.settle();
});
