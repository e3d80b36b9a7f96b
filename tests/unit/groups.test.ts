/**
 * GroupService and ChatService's group paths, called directly on a real temporary SQLite file, with a Notifier that
 * records what it is asked to do in place of Socket.IO (the integration tests cover the socket side).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ChatService } from "@/lib/chat/chat-service";
import { DeviceRegistry } from "@/lib/devices";
import type { Notifier } from "@/lib/chat/notifier";
import type { ChatMessage } from "@/lib/contract/payloads";
import type { ServerEvent } from "@/lib/contract/events";
import { type OpenStore, openStore } from "@/lib/store";

/** Every call, in order, as one line each: what the domain asked of the rooms. */
class Recorder implements Notifier {
  readonly log: string[] = [];
  readonly payloads: { event: ServerEvent; to: string; payload: unknown }[] = [];
  online = new Set<string>();
  async isOnline(username: string) {
    return this.online.has(username);
  }
  async onlineUsers() {
    return new Set(this.online);
  }
  async deliver(message: ChatMessage) {
    this.log.push(`deliver ${message.destination}`);
    return this.online.has(message.destination);
  }
  toUser(username: string, event: ServerEvent, payload: unknown) {
    this.log.push(`user ${username} ${event}`);
    this.payloads.push({ event, to: username, payload });
  }
  toEveryone(event: ServerEvent) {
    this.log.push(`everyone ${event}`);
  }
  toRoom(room: string, event: ServerEvent, payload: unknown, options?: { exceptUser?: string }) {
    this.log.push(`room ${room} ${event}${options?.exceptUser ? ` except ${options.exceptUser}` : ""}`);
    this.payloads.push({ event, to: room, payload });
  }
  joinRoom(username: string, room: string) {
    this.log.push(`join ${username} ${room}`);
  }
  leaveRoom(username: string, room: string) {
    this.log.push(`leave ${username} ${room}`);
  }
}

let dir: string;
let database: OpenStore;
let recorder: Recorder;
let chat: ChatService;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "chat-groups-"));
  database = await openStore(`file:${path.join(dir, "chat.db")}`);
  for (const name of ["ann", "bob", "cat", "dan", "eve", "__proto__", "constructor"])
    await database.accounts.createUser(name, "hash");
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  recorder = new Recorder();
  const devices = new DeviceRegistry();
  chat = new ChatService(database, recorder, { devices, groups: { maxMembers: 4 } });
  devices.register({
    name: "Sensor9",
    kind: "thermometer",
    online: true,
    room: "thermometer:Sensor9",
    async handleCommand() {},
    async describe() {
      throw new Error("unused");
    },
    async readings() {
      return [];
    },
    start() {},
    async stop() {},
  });
});

const roomOf = async (name: string) => `group:${(await database.groups.byName(name))!.id}`;

test("a group message is one broadcast to the room (not one emit per member), echoed to the sender's tabs", async () => {
  await chat.groups.create("ann", { name: "one", members: ["bob", "cat"] });
  recorder.log.length = 0;
  recorder.online = new Set(["bob"]);
  const { message, online } = await chat.send("ann", { destination: "#one", message: "hi" }, { socketId: "socket-1" });
  expect(online).toBe(true);
  expect(message).toMatchObject({ destination: "#one", receipts: { recipients: 2, deliveredTo: [], readBy: [] } });
  expect(recorder.log).toEqual([`user ann message`, `room ${await roomOf("one")} message except ann`]);
  // Bob has it: ann hears it once, by name.
  await chat.received("bob", { ids: [message.id] });
  await chat.received("bob", { ids: [message.id] });
  const statuses = recorder.payloads.filter((p) => p.event === "message:status").map((p) => p.payload);
  expect(statuses).toEqual([{ id: message.id, status: "delivered", by: "bob" }]);
  // Cat reads the group: ann hears "read by cat".
  expect(await chat.markRead("cat", { with: "#one" })).toContain(message.id);
  expect(recorder.payloads.at(-1)?.payload).toMatchObject({ id: message.id, status: "read", by: "cat" });
});

test("membership changes: rooms first, then the announcement; the removed person is told last", async () => {
  await chat.groups.create("ann", { name: "two", members: ["bob"] });
  const room = await roomOf("two");
  recorder.log.length = 0;
  await chat.groups.addMember("ann", "two", { username: "cat" });
  expect(recorder.log.slice(0, 3)).toEqual([`join cat ${room}`, "user ann message", `room ${room} message except ann`]);
  recorder.log.length = 0;
  await chat.groups.removeMember("ann", "two", "cat");
  expect(recorder.log).toEqual([
    `leave cat ${room}`,
    "user ann message",
    `room ${room} message except ann`,
    "user cat message",
    "user cat group:left",
    `room ${room} group`,
  ]);
  // Cat is out: everything about the group is the 404 of a group that does not exist.
  const refusal = { status: 404, message: "no group named 'two'" };
  await expect(chat.send("cat", { destination: "#two", message: "x" })).rejects.toMatchObject(refusal);
  await expect(chat.history("cat", { with: "#two" })).rejects.toMatchObject(refusal);
  await expect(chat.groups.get("cat", "two")).rejects.toMatchObject(refusal);
  await expect(chat.send("cat", { destination: "#nothing", message: "x" })).rejects.toMatchObject({
    status: 404,
    message: "no group named 'nothing'",
  });
  // Her typing into it reaches nobody.
  recorder.log.length = 0;
  await chat.typing("cat", { destination: "#two", typing: true });
  expect(recorder.log).toEqual([]);
});

test("the owner leaving hands the group to the longest-standing member", async () => {
  await chat.groups.create("ann", { name: "three", members: ["cat", "bob"] });
  expect(await chat.groups.removeMember("ann", "three", "ann")).toEqual({ left: "three" });
  expect((await chat.groups.get("cat", "three")).owner).toBe("cat");
  await expect(chat.groups.addMember("bob", "three", { username: "dan" })).rejects.toMatchObject({ status: 403 });
});

test("bad input is refused with a clear error and stores nothing", async () => {
  const create = (owner: string, body: unknown) => chat.groups.create(owner, body);
  await expect(create("ann", { name: "bob", members: ["cat"] })).rejects.toMatchObject({
    status: 409,
    message: "'bob' is a username",
  });
  await expect(create("ann", { name: "sensor9", members: ["cat"] })).rejects.toMatchObject({
    status: 409,
    message: "'sensor9' is a device name",
  });
  await expect(create("ann", { name: "big", members: ["bob", "cat", "dan", "eve"] })).rejects.toMatchObject({
    status: 400,
    message: "a group has at most 4 members",
  });
  await expect(create("ann", { name: "ghosts", members: ["nobody"] })).rejects.toMatchObject({ status: 404 });
  await expect(create("ann", { name: "alone", members: ["ann"] })).rejects.toMatchObject({ status: 400 });
  await expect(create("ann", { name: "#bad name", members: ["bob"] })).rejects.toMatchObject({ status: 400 });
  for (const name of ["big", "ghosts", "alone"]) expect(await database.groups.byName(name)).toBeNull();
});

test("names that are members of Object.prototype are ordinary group and member names", async () => {
  const group = await chat.groups.create("__proto__", { name: "constructor_group", members: ["constructor"] });
  expect(group.members.map((m) => m.username)).toEqual(["__proto__", "constructor"]);
  const hostile = await chat.groups.create("constructor", { name: "toString", members: ["__proto__"] });
  expect(hostile.name).toBe("toString");
  const { message } = await chat.send("constructor", { destination: "#toString", message: "hi" });
  expect((await chat.history("__proto__", { with: "#toString" })).map((m) => m.id)).toContain(message.id);
  expect((await chat.conversations("__proto__")).map((c) => c.peer)).toEqual(
    expect.arrayContaining(["#toString", "#constructor_group"]),
  );
});
