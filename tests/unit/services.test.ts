/**
 * The domain services' own rules, called directly: ChatService and AccountService on a real
 * temporary SQLite file, with a recording Notifier in place of Socket.IO (the Notifier is the
 * project's own seam; the socket layer's side is covered by the integration tests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AccountService } from "@/lib/accounts";
import { ChatService } from "@/lib/chat";
import type { Device } from "@/lib/devices";
import type { Notifier } from "@/lib/notifier";
import type { ChatMessage, ServerEvent } from "@/lib/protocol";
import { type OpenStore, openStore } from "@/lib/store";

/** Remembers every emit; people in `online` count as connected and acknowledge every delivery. */
class RecordingNotifier implements Notifier {
  readonly online = new Set<string>();
  readonly emitted: { to: string; event: ServerEvent; payload: unknown }[] = [];
  readonly delivered: ChatMessage[] = [];

  async isOnline(username: string) {
    return this.online.has(username);
  }
  async onlineUsers() {
    return new Set(this.online);
  }
  async deliver(message: ChatMessage) {
    this.delivered.push(message);
    return this.online.has(message.destination);
  }
  toUser(username: string, event: ServerEvent, payload: unknown) {
    this.emitted.push({ to: username, event, payload });
  }
  toEveryone(event: ServerEvent, payload: unknown) {
    this.emitted.push({ to: "*", event, payload });
  }
  toRoom(room: string, event: ServerEvent, payload: unknown) {
    this.emitted.push({ to: room, event, payload });
  }
  joinRoom() {}
  leaveRoom() {}
}

/** A device that records the commands it is handed. */
function recordingDevice(name: string): Device & { commands: ChatMessage[] } {
  const commands: ChatMessage[] = [];
  return {
    name,
    kind: "thermometer",
    online: true,
    room: `thermometer:${name}`,
    commands,
    async handleCommand(command) {
      commands.push(command);
    },
    async describe() {
      throw new Error("not used here");
    },
    async readings() {
      return [];
    },
    start() {},
    async stop() {},
  };
}

let dir: string;
let database: OpenStore;
let clock: Date;
let notifier: RecordingNotifier;
let chat: ChatService;
let accounts: AccountService;
const device = recordingDevice("sensor9");

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "chat-services-"));
  database = await openStore(`file:${path.join(dir, "chat.db")}`);
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  clock = new Date("2026-11-25T12:00:00Z");
  notifier = new RecordingNotifier();
  chat = new ChatService(database, notifier, () => clock);
  chat.registerDevice(device);
  accounts = new AccountService(
    database.accounts,
    (name) => name.toLowerCase() === device.name,
    () => clock,
  );
});

let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}`;
async function person(prefix = "p"): Promise<string> {
  const username = fresh(prefix);
  await accounts.login({ username, password: "secret" });
  return username;
}

describe("AccountService", () => {
  test("the first login claims a name; later logins need its password", async () => {
    const username = fresh("claim");
    expect(await accounts.login({ username, password: "pw1" })).toMatchObject({ username, created: true });
    expect(await accounts.login({ username, password: "pw1" })).toMatchObject({ username, created: false });
    await expect(accounts.login({ username, password: "pw2" })).rejects.toMatchObject({ status: 401 });
  });

  test("a device's name cannot be claimed in any capitalisation", async () => {
    await expect(accounts.login({ username: "SENSOR9", password: "pw" })).rejects.toMatchObject({ status: 403 });
    expect(await database.accounts.findUser("SENSOR9")).toBeNull();
  });

  test("five wrong passwords lock the name for 30 s, even against the right one; then it opens again", async () => {
    const username = await person("lock");
    for (let i = 0; i < 5; i += 1) {
      await expect(accounts.login({ username, password: "wrong" })).rejects.toMatchObject({ status: 401 });
    }
    await expect(accounts.login({ username, password: "secret" })).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining("try again in 30 s"),
    });
    clock = new Date(clock.getTime() + 30_001);
    expect(await accounts.login({ username, password: "secret" })).toMatchObject({ username });
    // The right password reset the count: one more wrong one does not lock again.
    await expect(accounts.login({ username, password: "wrong" })).rejects.toMatchObject({ status: 401 });
    expect(await accounts.login({ username, password: "secret" })).toMatchObject({ username });
  });

  test("a session authenticates until logout, and not after it expires", async () => {
    const username = fresh("sess");
    const { token } = await accounts.login({ username, password: "pw" });
    expect(await accounts.authenticate(token)).toBe(username);
    await accounts.logout(token);
    expect(await accounts.authenticate(token)).toBeUndefined();

    const { token: second } = await accounts.login({ username, password: "pw" });
    clock = new Date(clock.getTime() + 31 * 24 * 60 * 60 * 1000);
    expect(await accounts.authenticate(second)).toBeUndefined();
    expect(await accounts.authenticate(undefined)).toBeUndefined();
  });
});

describe("ChatService", () => {
  test("a resend with the same clientId returns the stored message instead of storing it twice", async () => {
    const [alice, bob] = [await person("a"), await person("b")];
    const first = await chat.send(alice, { destination: bob, message: "once", clientId: "c-1" });
    const again = await chat.send(alice, { destination: bob, message: "once", clientId: "c-1" });
    expect(again.message).toEqual(first.message);
    const history = await chat.history(alice, { with: bob });
    expect(history.map((m) => m.message)).toEqual(["once"]);
  });

  test("a clientId reused for other text or another destination is refused with 409, not answered as a resend", async () => {
    const [alice, bob, carol] = [await person("a"), await person("b"), await person("c")];
    await chat.send(alice, { destination: bob, message: "first", clientId: "c-9" });
    const refusal = { status: 409, message: "clientId 'c-9' was already used for another message" };
    await expect(chat.send(alice, { destination: bob, message: "second", clientId: "c-9" })).rejects.toMatchObject(
      refusal,
    );
    await expect(chat.send(alice, { destination: carol, message: "first", clientId: "c-9" })).rejects.toMatchObject(
      refusal,
    );
    expect((await chat.history(alice, { with: bob })).map((m) => m.message)).toEqual(["first"]);
    expect(await chat.history(alice, { with: carol })).toEqual([]);
  });

  test("unknown people, yourself and bad payloads are refused and store nothing", async () => {
    const alice = await person("a");
    await expect(chat.send(alice, { destination: fresh("nobody"), message: "hi" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(chat.send(alice, { destination: alice, message: "me" })).rejects.toMatchObject({ status: 400 });
    await expect(chat.send(alice, { destination: "bad name!", message: "x" })).rejects.toMatchObject({
      status: 400,
    });
    expect(await chat.conversations(alice)).toEqual([]);
  });

  test("an offline recipient's message waits; an online one's is delivered and the sender hears so", async () => {
    const [alice, bob] = [await person("a"), await person("b")];
    const offline = await chat.send(alice, { destination: bob, message: "later" });
    expect(offline.online).toBe(false);
    expect(notifier.delivered).toEqual([]);

    notifier.online.add(bob);
    const online = await chat.send(alice, { destination: bob, message: "now" }, "alice-socket");
    expect(online.online).toBe(true);
    await waitFor(() => notifier.emitted.some((e) => e.event === "message:status" && e.to === alice));
    expect(notifier.delivered.map((m) => m.message)).toEqual(["now"]);
    // The sender's other tabs got the echo.
    expect(notifier.emitted).toContainEqual({ to: alice, event: "message", payload: online.message });

    const [waiting] = await chat.check(bob);
    expect(waiting).toMatchObject({ message: "later", stored: true });
    expect(await chat.check(bob)).toEqual([]);
  });

  test("a message to a device is stored as a command and handed to it; its reply is stored for the person", async () => {
    const alice = await person("a");
    const { message } = await chat.send(alice, { destination: device.name, message: "range" });
    expect(message.type).toBe("command");
    await waitFor(() => device.commands.length > 0);
    expect(device.commands.at(-1)).toEqual(message);

    await chat.sendFromDevice(device.name, alice, "20.0 °C", { type: "notification", metadata: { command: "range" } });
    const history = await chat.history(alice, { with: device.name });
    expect(history.map((m) => [m.sender, m.type])).toEqual([
      [alice, "command"],
      [device.name, "notification"],
    ]);
  });

  test("devices are listed with the people, with their kind", async () => {
    expect(await chat.listUsers()).toContainEqual({
      username: device.name,
      online: true,
      lastSeen: null,
      service: "thermometer",
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
