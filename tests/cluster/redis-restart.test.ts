/**
 * Redis goes away under load (SIGKILL, so it comes back empty: no streams, no presence, no leases) and comes back on
 * the same port. Sends keep being acknowledged (they need only the store); nothing acknowledged is lost; afterwards
 * messages cross instances live again, presence is rebuilt, and thermometer1 runs again on exactly one instance.
 */
import type { ChatMessage, PresenceEvent } from "@/lib/contract/payloads";
import { api, closeAllSockets, connect, login, uniqueName } from "../support/clients";
import { Receiver, Sender } from "./support/clients";
import { eventually, startCluster, type TestCluster } from "./support/cluster";

let cluster: TestCluster;
const clients: (Sender | Receiver)[] = [];

beforeAll(async () => {
  cluster = await startCluster({ instances: 2 });
});
afterAll(async () => {
  for (const client of clients) client.close();
  closeAllSockets();
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("Redis restarted under load: service resumes and nothing acknowledged is lost", async () => {
  const [a, b] = cluster.instances as [(typeof cluster.instances)[0], (typeof cluster.instances)[0]];
  const senders: Sender[] = [];
  const receivers: Receiver[] = [];
  for (let i = 0; i < 4; i++) {
    const sender = await login(a.url, uniqueName("s"));
    const receiver = await login(b.url, uniqueName("r"));
    senders.push(new Sender(a.url, sender.username, sender.token));
    receivers.push(new Receiver(b.url, receiver.username, receiver.token));
  }
  clients.push(...senders, ...receivers);
  await Promise.all(receivers.map((receiver) => receiver.connected()));
  const subscriber = receivers[0]!;
  await subscriber.socket
    .timeout(5_000)
    .emitWithAck("message:send", { destination: "thermometer1", message: "subscribe" });
  for (const [i, sender] of senders.entries()) sender.start([receivers[i]!.username], 50);
  await sleep(1_500);

  const downAt = Date.now();
  await cluster.restartRedis(1_000);
  const upAt = Date.now();
  await sleep(3_000);
  for (const sender of senders) sender.stop();
  await Promise.all(senders.map((sender) => sender.settle()));

  // Live across instances again: a new message from A reaches a tab on B without asking.
  const alice = await login(a.url, uniqueName("alice"));
  const bob = await login(b.url, uniqueName("bob"));
  const aliceTab = await connect(a.url, alice.token);
  const bobTab = await connect(b.url, bob.token);
  const sent = await eventually("bob online as seen from A", async () => {
    const reply = await aliceTab.request("message:send", { destination: bob.username, message: "after the restart" });
    return reply.online ? reply : undefined;
  });
  expect(await bobTab.next<ChatMessage>("message", (m) => m.id === sent.message.id)).toMatchObject({
    message: "after the restart",
  });
  // Presence announcements cross again.
  const presence = aliceTab.collect<PresenceEvent[]>("presence");
  bobTab.close();
  await eventually("bob offline", () => presence.flat().some((e) => e.username === bob.username && !e.online));

  // thermometer1 runs again, on one instance, and the subscription still holds.
  const resumed = await eventually(
    "readings after the restart",
    () => subscriber.readings.find((reading) => Date.parse(reading.timestamp) > upAt),
    20_000,
  );
  console.log(
    `Redis down ${upAt - downAt} ms; readings again ${Date.parse(resumed.timestamp) - upAt} ms after it was back`,
  );
  await sleep(1_000);
  console.log(cluster.instances.map((i) => i.output()).join("\n-----\n"), upAt, resumed);
  const running = cluster.instances.filter((instance) => {
    const output = instance.output();
    return output.lastIndexOf("runs its job now") > output.lastIndexOf("job stopped here");
  });
  expect(running).toHaveLength(1);

  // Nothing acknowledged is lost: every send is stored once, and each recipient has it (live, backlog or check).
  await Promise.all(receivers.map((receiver) => receiver.check()));
  for (const [i, sender] of senders.entries()) {
    const rows = cluster.query<{ id: string; clientId: string }>(
      'SELECT id, clientId FROM "Message" WHERE sender = ?',
      sender.username,
    );
    expect(rows).toHaveLength(sender.sent);
    for (const row of rows) {
      expect(sender.acked.get(row.clientId)).toBe(row.id);
      expect(receivers[i]!.seen.has(row.id)).toBe(true);
    }
  }
  for (const instance of cluster.instances) {
    expect((await api(instance.url, "/api/ready")).status).toBe(200);
  }
});
