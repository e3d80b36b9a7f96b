/**
 * Group conversations end to end: the real server in this process, a real SQLite file, real sockets and HTTP.
 * Members get group messages live (one room broadcast) or later from their backlog; non-members learn nothing;
 * membership changes reach every tab at once.
 */
import { api, closeAllSockets, connect, login, sleep, uniqueName, type Person, waitFor } from "../support/clients";
import { removeDatabase, startTestServer, type TestServer } from "../support/server";
import type { ChatMessage, GroupEvent, GroupSummary, MessageStatusEvent } from "@/lib/contract/payloads";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { GROUP_MAX_MEMBERS: "4" } });
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server?.close();
  if (server) removeDatabase(server.databaseFile);
});

type Five = [Person, Person, Person, Person, Person];
const people = async (count: number) =>
  (await Promise.all(Array.from({ length: count }, () => login(server.url)))) as Person[] as Five;

async function createGroup(owner: Person, members: Person[], name = uniqueName("g")): Promise<GroupSummary> {
  const created = await api(server.url, "/api/groups", {
    method: "POST",
    token: owner.token,
    json: { name, members: members.map((m) => m.username) },
  });
  expect(created.status).toBe(201);
  return created.body.group;
}

const isChat = (group: string) => (m: ChatMessage) => m.destination === `#${group}` && m.type === "chat";

describe("a group message", () => {
  test("is stored once, reaches every online member in one broadcast, and the sender hears who has it", async () => {
    const [alice, bob, carol] = await people(3);
    const group = await createGroup(alice, [bob, carol]);
    expect(group).toMatchObject({ name: group.name, owner: alice.username });
    expect(group.members.map((m) => m.username)).toEqual([alice.username, bob.username, carol.username]);

    const aliceTab = await connect(server.url, alice.token);
    const bobTab = await connect(server.url, bob.token);
    const carolTab = await connect(server.url, carol.token);
    const statuses = aliceTab.collect<MessageStatusEvent>("message:status");

    const ack = await aliceTab.request("message:send", {
      destination: `#${group.name}`,
      message: "hello team",
      clientId: "g1",
    });
    expect(ack).toMatchObject({
      ok: true,
      online: true,
      message: { sender: alice.username, destination: `#${group.name}`, message: "hello team", type: "chat" },
    });
    for (const tab of [bobTab, carolTab]) {
      const got = await tab.next<ChatMessage>("message", isChat(group.name));
      expect(got).toMatchObject({ id: ack.message.id, sender: alice.username, destination: `#${group.name}` });
      tab.socket.emit("message:received", { ids: [got.id] });
    }
    await waitFor(() => statuses.filter((s) => s.id === ack.message.id && s.status === "delivered").length === 2);
    expect(
      statuses
        .filter((s) => s.id === ack.message.id)
        .map((s) => s.by)
        .sort(),
    ).toEqual([bob.username, carol.username].sort());

    // Bob reads: alice hears "read by bob"; her history says delivered to 2 of 2, read by bob.
    const read = await bobTab.request("message:read", { with: `#${group.name}` });
    expect(read.ok).toBe(true);
    expect(await aliceTab.next("message:status", (s) => s.status === "read" && s.id === ack.message.id)).toEqual({
      id: ack.message.id,
      status: "read",
      by: bob.username,
    });
    const history = await api(server.url, `/api/messages?with=%23${group.name}`, { token: alice.token });
    const mine = history.body.messages.find((m: ChatMessage) => m.id === ack.message.id);
    expect(mine.receipts).toEqual({
      recipients: 2,
      deliveredTo: [bob.username, carol.username].sort(),
      readBy: [bob.username],
    });
    const receipts = await api(server.url, `/api/messages/${ack.message.id}/receipts`, { token: alice.token });
    expect(
      receipts.body.receipts.map((r: { username: string; readAt: string | null }) => [r.username, !!r.readAt]),
    ).toEqual(
      [
        [bob.username, true],
        [carol.username, false],
      ].sort(),
    );
    // Someone else's receipts are a 404, like a message that does not exist.
    expect((await api(server.url, `/api/messages/${ack.message.id}/receipts`, { token: bob.token })).status).toBe(404);
  });

  test("waits for an offline member, who gets it marked stored on connect; HTTP sends work the same", async () => {
    const [alice, bob, carol] = await people(3);
    const group = await createGroup(alice, [bob, carol]);
    const bobTab = await connect(server.url, bob.token);
    const sent = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: `#${group.name}`, message: "while carol is away" },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ online: true, message: { destination: `#${group.name}` } });
    await bobTab.next<ChatMessage>("message", isChat(group.name));

    const carolTab = await connect(server.url, carol.token);
    const stored = await carolTab.next<ChatMessage>("message", isChat(group.name));
    expect(stored).toMatchObject({ id: sent.body.message.id, stored: true, message: "while carol is away" });
    const history = await api(server.url, `/api/messages?with=%23${group.name}`, { token: alice.token });
    const mine = history.body.messages.find((m: ChatMessage) => m.id === sent.body.message.id);
    await waitFor(async () => {
      const again = await api(server.url, `/api/messages?with=%23${group.name}`, { token: alice.token });
      return (
        again.body.messages.find((m: ChatMessage) => m.id === sent.body.message.id).receipts.deliveredTo.length === 1
      );
    });
    expect(mine.receipts.recipients).toBe(2);
  });

  test("reaches both tabs of a member; the sender's other tab sees the echo", async () => {
    const [alice, bob] = await people(2);
    const group = await createGroup(alice, [bob]);
    const aliceTab1 = await connect(server.url, alice.token);
    const aliceTab2 = await connect(server.url, alice.token);
    const bobTab1 = await connect(server.url, bob.token);
    const bobTab2 = await connect(server.url, bob.token);
    const ack = await aliceTab1.request("message:send", { destination: `#${group.name}`, message: "to all tabs" });
    for (const tab of [bobTab1, bobTab2, aliceTab2])
      expect(await tab.next<ChatMessage>("message", isChat(group.name))).toMatchObject({ id: ack.message.id });
    await sleep(200);
    expect(aliceTab1.received.filter((m) => m.id === ack.message.id)).toEqual([]);
  });

  test("shows typing to the other members, named by the group", async () => {
    const [alice, bob, carol] = await people(3);
    const group = await createGroup(alice, [bob, carol]);
    const aliceTab = await connect(server.url, alice.token);
    const bobTab = await connect(server.url, bob.token);
    const carolTab = await connect(server.url, carol.token);
    const aliceTyping = aliceTab.collect("typing");
    const bobTyping = bobTab.collect("typing");
    bobTab.socket.emit("typing", { destination: `#${group.name}`, typing: true });
    for (const tab of [aliceTab, carolTab])
      expect(await tab.next("typing")).toEqual({ username: bob.username, typing: true, group: `#${group.name}` });
    await sleep(200);
    expect(aliceTyping).toHaveLength(1);
    expect(bobTyping).toEqual([]);
  });
});

describe("membership", () => {
  test("add and remove reach every tab at once; a removed member gets nothing sent after", async () => {
    const [alice, bob, carol] = await people(3);
    const group = await createGroup(alice, [bob]);
    const carolTab1 = await connect(server.url, carol.token);
    const carolTab2 = await connect(server.url, carol.token);
    const bobTab = await connect(server.url, bob.token);

    const added = await api(server.url, `/api/groups/${group.name}/members`, {
      method: "POST",
      token: alice.token,
      json: { username: carol.username },
    });
    expect(added.status).toBe(201);
    for (const tab of [carolTab1, carolTab2]) {
      const event = await tab.next<GroupEvent>("group");
      expect(event.group.members.map((m) => m.username)).toContain(carol.username);
      expect(await tab.next<ChatMessage>("message", (m) => m.type === "notification")).toMatchObject({
        message: `${alice.username} added ${carol.username}`,
        destination: `#${group.name}`,
      });
    }
    const before = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: `#${group.name}`, message: "carol is in" },
    });
    for (const tab of [carolTab1, carolTab2]) await tab.next<ChatMessage>("message", isChat(group.name));

    const removed = await api(server.url, `/api/groups/${group.name}/members/${carol.username}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(removed.status).toBe(200);
    for (const tab of [carolTab1, carolTab2]) {
      expect(await tab.next("group:left")).toEqual({ name: group.name });
      expect(
        await tab.next<ChatMessage>("message", (m) => m.type === "notification" && /removed/.test(m.message)),
      ).toMatchObject({ message: `${alice.username} removed ${carol.username}` });
    }
    const after = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: `#${group.name}`, message: "carol is out" },
    });
    await bobTab.next<ChatMessage>("message", (m) => m.id === after.body.message.id);
    await sleep(300);
    for (const tab of [carolTab1, carolTab2]) expect(tab.received.map((m) => m.message)).not.toContain("carol is out");
    // Carol can no longer send, read or see the group: the same 404 as a group that does not exist.
    const refused = await carolTab1.request("message:send", { destination: `#${group.name}`, message: "let me in" });
    expect(refused).toEqual({ ok: false, error: `no group named '${group.name}'`, code: "not-found" });
    expect((await api(server.url, `/api/messages?with=%23${group.name}`, { token: carol.token })).status).toBe(404);
    expect((await api(server.url, `/api/groups/${group.name}`, { token: carol.token })).status).toBe(404);
    expect(before.status).toBe(201);
    // Her conversation list no longer has it; bob's does.
    const carols = await api(server.url, "/api/conversations", { token: carol.token });
    expect(carols.body.conversations.map((c: { peer: string }) => c.peer)).not.toContain(`#${group.name}`);
    const bobs = await api(server.url, "/api/conversations", { token: bob.token });
    expect(bobs.body.conversations.find((c: { peer: string }) => c.peer === `#${group.name}`)).toMatchObject({
      last: { message: "carol is out" },
    });
  });

  test("rename, leave (the owner hands over to the longest-standing member), and the limits", async () => {
    const [alice, bob, carol, dan, eve] = await people(5);
    const group = await createGroup(alice, [bob, carol]);
    const bobTab = await connect(server.url, bob.token);
    const newName = uniqueName("renamed");
    const renamed = await api(server.url, `/api/groups/${group.name}`, {
      method: "PATCH",
      token: alice.token,
      json: { name: newName },
    });
    expect(renamed.body.group.name).toBe(newName);
    expect(await bobTab.next<GroupEvent>("group", (e) => e.previousName === group.name)).toMatchObject({
      group: { name: newName },
    });
    // Only the owner renames, adds and removes.
    const notOwner = await api(server.url, `/api/groups/${newName}/members`, {
      method: "POST",
      token: bob.token,
      json: { username: dan.username },
    });
    expect(notOwner.status).toBe(403);
    // Four members at most here (GROUP_MAX_MEMBERS=4).
    await api(server.url, `/api/groups/${newName}/members`, {
      method: "POST",
      token: alice.token,
      json: { username: dan.username },
    });
    const tooMany = await api(server.url, `/api/groups/${newName}/members`, {
      method: "POST",
      token: alice.token,
      json: { username: eve.username },
    });
    expect(tooMany).toMatchObject({ status: 400, body: { error: "a group has at most 4 members" } });

    const left = await api(server.url, `/api/groups/${newName}/members/${alice.username}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(left.body).toEqual({ left: newName });
    const now = await api(server.url, `/api/groups/${newName}`, { token: bob.token });
    expect(now.body.group.owner).toBe(bob.username);
    expect(now.body.group.members.map((m: { username: string }) => m.username)).toEqual([
      bob.username,
      carol.username,
      dan.username,
    ]);
    const mine = await api(server.url, "/api/groups", { token: bob.token });
    expect(mine.body.groups.map((g: GroupSummary) => g.name)).toContain(newName);
    expect((await api(server.url, "/api/groups", { token: alice.token })).body.groups).toEqual([]);
  });

  test("bad input is refused with a clear error and changes nothing", async () => {
    const [alice, bob] = await people(2);
    const create = (json: unknown, who = alice) =>
      api(server.url, "/api/groups", { method: "POST", token: who.token, json });
    const taken = await createGroup(alice, [bob]);
    expect((await create({ name: taken.name, members: [bob.username] })).body).toEqual({
      error: `the name '${taken.name}' is taken`,
      code: "conflict",
    });
    expect((await create({ name: bob.username, members: [bob.username] })).body).toEqual({
      error: `'${bob.username}' is a username`,
      code: "conflict",
    });
    expect((await create({ name: "thermometer1", members: [bob.username] })).status).toBe(409);
    expect((await create({ name: uniqueName("g"), members: [] })).status).toBe(400);
    expect((await create({ name: uniqueName("g"), members: ["nobody_here"] })).body).toEqual({
      error: "no user named 'nobody_here'",
      code: "not-found",
    });
    expect((await create({ name: "no spaces", members: [bob.username] })).status).toBe(400);
    expect((await create({ name: uniqueName("g"), members: [bob.username], extra: 1 })).status).toBe(400);
    // Hostile names are ordinary names.
    for (const name of ["__proto__", "constructor"]) {
      const made = await create({ name, members: [bob.username] });
      expect(made.status).toBe(201);
      expect((await api(server.url, `/api/groups/${name}`, { token: bob.token })).body.group.name).toBe(name);
    }
    // A person may not take a group's name.
    const claim = await api(server.url, "/api/session", {
      method: "POST",
      json: { username: taken.name, password: "correct horse" },
    });
    expect(claim).toMatchObject({
      status: 403,
      body: { error: `'${taken.name}' is a group name and cannot be claimed` },
    });
    // Unknown groups and non-members: the same 404 everywhere.
    const outsider = await login(server.url);
    const outsiderTab = await connect(server.url, outsider.token);
    for (const name of [taken.name, "no_such_group"]) {
      expect(await outsiderTab.request("message:send", { destination: `#${name}`, message: "hi" })).toEqual({
        ok: false,
        error: `no group named '${name}'`,
        code: "not-found",
      });
      expect(await outsiderTab.request("message:read", { with: `#${name}` })).toEqual({
        ok: false,
        error: `no group named '${name}'`,
        code: "not-found",
      });
      for (const [path, method] of [
        [`/api/groups/${name}`, "GET"],
        [`/api/messages?with=%23${name}`, "GET"],
        [`/api/groups/${name}/members/${bob.username}`, "DELETE"],
      ] as const) {
        const answer = await api(server.url, path, { method, token: outsider.token });
        expect([path, answer.status, answer.body]).toEqual([
          path,
          404,
          { error: `no group named '${name}'`, code: "not-found" },
        ]);
      }
    }
    // Typing into a group one is not in reaches nobody.
    const bobTab = await connect(server.url, bob.token);
    outsiderTab.socket.emit("typing", { destination: `#${taken.name}`, typing: true });
    await sleep(300);
    expect(bobTab.collect("typing")).toEqual([]);
    // Nothing was stored for the outsider's attempts.
    const history = await api(server.url, `/api/messages?with=%23${taken.name}`, { token: bob.token });
    expect(history.body.messages.map((m: ChatMessage) => m.sender)).toEqual([alice.username]);
  });
});

describe("across a restart", () => {
  test("groups, members, stored group messages and their receipts survive", async () => {
    const [alice, bob, carol] = await people(3);
    const group = await createGroup(alice, [bob, carol]);
    const bobTab = await connect(server.url, bob.token);
    const sent = await api(server.url, "/api/messages", {
      method: "POST",
      token: alice.token,
      json: { destination: `#${group.name}`, message: "before the restart" },
    });
    const got = await bobTab.next<ChatMessage>("message", (m) => m.id === sent.body.message.id);
    bobTab.socket.emit("message:received", { ids: [got.id] });
    await sleep(300);
    bobTab.close();

    await server.close();
    server = await startTestServer({ databaseFile: server.databaseFile, env: { GROUP_MAX_MEMBERS: "4" } });

    const again = await api(server.url, `/api/groups/${group.name}`, { token: carol.token });
    expect(again.body.group.members.map((m: { username: string }) => m.username)).toEqual([
      alice.username,
      bob.username,
      carol.username,
    ]);
    const carolTab = await connect(server.url, carol.token);
    expect(await carolTab.next<ChatMessage>("message", (m) => m.id === sent.body.message.id)).toMatchObject({
      stored: true,
      message: "before the restart",
    });
    const bobAgain = await connect(server.url, bob.token);
    await sleep(300);
    expect(bobAgain.received.map((m) => m.id)).not.toContain(sent.body.message.id); // delivered before: not again
    await waitFor(async () => {
      const history = await api(server.url, `/api/messages?with=%23${group.name}`, { token: alice.token });
      const mine = history.body.messages.find((m: ChatMessage) => m.id === sent.body.message.id);
      return mine.receipts.deliveredTo.length === 2;
    });
  });
});
