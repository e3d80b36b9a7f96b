/**
 * Three instances on one Redis and one store, clients connected straight to each: everything that goes through a
 * room or a presence question reaches people on the other instances, and thermometer1 runs on exactly one.
 */
import type { ChatMessage, PresenceEvent, ReadingEvent } from "@/lib/contract/payloads";
import { api, closeAllSockets, connect, login, uniqueName } from "../support/clients";
import { eventually, startCluster, type TestCluster } from "./support/cluster";

let cluster: TestCluster;
let a: string;
let b: string;
let c: string;

beforeAll(async () => {
  cluster = await startCluster({ instances: 3 });
  [a, b, c] = cluster.instances.map((instance) => instance.url) as [string, string, string];
});
afterEach(() => closeAllSockets());
afterAll(() => cluster?.stop());

test("a DM sent through A reaches every tab of the recipient on B and C; the sender hears 'delivered' once", async () => {
  const alice = await login(a, uniqueName("alice"));
  const bob = await login(b, uniqueName("bob"));
  const aliceTab = await connect(a, alice.token);
  const aliceOtherTab = await connect(c, alice.token);
  const bobOnB = await connect(b, bob.token);
  const bobOnC = await connect(c, bob.token);
  const statuses = aliceTab.collect<{ id: string; status: string }>("message:status");

  const sent = await aliceTab.request("message:send", { destination: bob.username, message: "across", clientId: "x1" });
  expect(sent).toMatchObject({ ok: true, online: true });
  for (const tab of [bobOnB, bobOnC]) {
    expect(await tab.next<ChatMessage>("message", (m) => m.id === sent.message.id)).toMatchObject({
      message: "across",
    });
  }
  // The sender's other tab, on another instance, gets the echo.
  expect(await aliceOtherTab.next<ChatMessage>("message", (m) => m.id === sent.message.id)).toMatchObject({
    clientId: "x1",
  });
  await eventually("delivered", () => statuses.some((s) => s.id === sent.message.id && s.status === "delivered"));

  // Typing and read receipts cross instances too.
  bobOnC.socket.emit("typing", { destination: alice.username, typing: true });
  expect(await aliceTab.next("typing")).toEqual({ username: bob.username, typing: true });
  expect(await bobOnB.request("message:read", { with: alice.username })).toEqual({ ok: true, ids: [sent.message.id] });
  await eventually("read", () => statuses.some((s) => s.id === sent.message.id && s.status === "read"));
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(statuses.filter((s) => s.status === "delivered")).toHaveLength(1);
});

test("presence spans instances: online while any tab is connected anywhere, offline after the last one", async () => {
  const watcher = await login(a, uniqueName("watcher"));
  const dora = await login(b, uniqueName("dora"));
  const watching = await connect(a, watcher.token);
  const presence = watching.collect<PresenceEvent[]>("presence");
  const stateOf = () =>
    presence
      .flat()
      .filter((e) => e.username === dora.username)
      .at(-1)?.online;

  const onB = await connect(b, dora.token);
  await eventually("dora online", () => stateOf() === true);
  const onC = await connect(c, dora.token);
  const users = await api(a, "/api/users", { token: watcher.token });
  expect(users.body.users.find((u: { username: string }) => u.username === dora.username).online).toBe(true);

  onB.close(); // still connected on C
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(stateOf()).toBe(true);
  onC.close();
  await eventually("dora offline", () => stateOf() === false);
  const after = await api(c, "/api/users", { token: watcher.token });
  expect(after.body.users.find((u: { username: string }) => u.username === dora.username).online).toBe(false);
});

test("thermometer1 runs on one instance; commands work from every instance; readings reach every instance", async () => {
  const leader = await eventually("a leader", () => cluster.leader());
  const followers = cluster.instances.filter((instance) => instance !== leader);
  expect(cluster.instances.filter((instance) => instance.output().includes("runs its job now"))).toHaveLength(1);

  // Subscribe through a follower, with tabs on all three instances.
  const erin = await login(followers[0]!.url, uniqueName("erin"));
  const tabs = await Promise.all(cluster.instances.map((instance) => connect(instance.url, erin.token)));
  await tabs[0]!.request("message:send", { destination: "thermometer1", message: "subscribe" });
  for (const tab of tabs) {
    expect((await tab.next<ReadingEvent>("thermometer:reading", () => true, 5_000)).device).toBe("thermometer1");
  }

  // range from a follower answers from the store; reboot from a follower goes to the leader.
  const onFollower = tabs[cluster.instances.indexOf(followers[1]!)]!;
  await onFollower.request("message:send", { destination: "thermometer1", message: "range" });
  expect((await onFollower.next<ChatMessage>("message", (m) => m.metadata?.command === "range")).message).toMatch(
    /thermometer1 range: configured 15\.0 to 30\.0 °C; last \d+ readings/,
  );
  const statuses = tabs[0]!.collect<{ status: string }>("thermometer:status");
  await onFollower.request("message:send", { destination: "thermometer1", message: "reboot" });
  expect((await onFollower.next<ChatMessage>("message", (m) => m.metadata?.command === "reboot")).message).toBe(
    "thermometer1 is rebooting…",
  );
  await eventually("back online", () => statuses.some((s) => s.status === "running"));
  expect(statuses.map((s) => s.status)).toEqual(["rebooting", "running"]);

  // Every instance reports the leader's status (followers learn it at their next lease attempt).
  for (const instance of cluster.instances) {
    await eventually("the leader's status everywhere", async () => {
      const { body } = await api(instance.url, "/api/thermometers", { token: erin.token });
      const users = await api(instance.url, "/api/users", { token: erin.token });
      return body.thermometers[0].status === "running" && users.body.users[0].online === true;
    });
    const { body } = await api(instance.url, "/api/thermometers", { token: erin.token });
    expect(body.thermometers[0]).toMatchObject({ device: "thermometer1", subscribed: true });
  }
  expect(cluster.instances.filter((instance) => instance.output().includes("runs its job now"))).toHaveLength(1);
});

test("health and readiness on every instance", async () => {
  for (const url of [a, b, c]) {
    expect(await api(url, "/api/health")).toMatchObject({ status: 200, body: { status: "alive" } });
    expect(await api(url, "/api/ready")).toMatchObject({
      status: 200,
      body: { status: "ready", store: "ok", redis: "ok" },
    });
  }
});
