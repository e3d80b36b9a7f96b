/**
 * Groups across instances: one broadcast to the group's room reaches members connected to other instances, their
 * acks record delivery wherever they arrive, and a membership change moves sockets in and out of the room on every
 * instance at once (the adapter's socketsJoin / socketsLeave), so a removed member's tabs elsewhere get nothing more.
 */
import type { ChatMessage, MessageStatusEvent } from "@/lib/contract/payloads";
import { api, closeAllSockets, connect, login, sleep, uniqueName } from "../support/clients";
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

test("a group message sent through A reaches members on B and C, and a removal on B stops C's tabs at once", async () => {
  const [alice, bob, carol] = await Promise.all([
    login(a, uniqueName("alice")),
    login(b, uniqueName("bob")),
    login(c, uniqueName("carol")),
  ]);
  const aliceTab = await connect(a, alice.token);
  const bobTab = await connect(b, bob.token);
  const carolTab = await connect(c, carol.token);
  const statuses = aliceTab.collect<MessageStatusEvent>("message:status");

  // Created on A while bob and carol are already connected to B and C: their sockets join the room there.
  const name = uniqueName("team");
  const created = await api(a, "/api/groups", {
    method: "POST",
    token: alice.token,
    json: { name, members: [bob.username, carol.username] },
  });
  expect(created.status).toBe(201);
  const isChat = (text: string) => (m: ChatMessage) => m.destination === `#${name}` && m.message === text;

  const sent = await aliceTab.request("message:send", { destination: `#${name}`, message: "hello all" });
  expect(sent).toMatchObject({ ok: true });
  for (const tab of [bobTab, carolTab]) {
    const got = await tab.next<ChatMessage>("message", isChat("hello all"));
    tab.socket.emit("message:received", { ids: [got.id] });
  }
  await eventually(
    "delivered to both",
    () => statuses.filter((s) => s.id === sent.message.id && s.status === "delivered").length === 2,
  );
  expect(
    statuses
      .filter((s) => s.id === sent.message.id)
      .map((s) => s.by)
      .sort(),
  ).toEqual([bob.username, carol.username].sort());

  // Removed through B; carol's only tab is on C.
  const carolsMessages = carolTab.collect<ChatMessage>("message");
  const removed = await api(b, `/api/groups/${name}/members/${carol.username}`, {
    method: "DELETE",
    token: alice.token,
  });
  expect(removed.status).toBe(200);
  expect(await carolTab.next("group:left")).toEqual({ name });

  const after = await aliceTab.request("message:send", { destination: `#${name}`, message: "after carol" });
  expect(after).toMatchObject({ ok: true });
  await bobTab.next<ChatMessage>("message", isChat("after carol"));
  await sleep(500);
  expect(carolsMessages.filter(isChat("after carol"))).toEqual([]);
});
