/**
 * What shutdown relies on: work in flight is counted (a scope's in its parent's too), the chat's background
 * work (live delivery and its delivery mark, device commands and replies) is tracked so shutdown can wait
 * for it, and a device stopped in the middle of a reboot stays stopped. Real SQLite file, the real InFlight
 * and Thermometer; a recording Notifier in place of Socket.IO (the project's own seam).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AccountService } from "@/lib/accounts/account-service";
import { DEFAULT_LOGIN_SETTINGS, loginProtection } from "@/lib/accounts/login-protection";
import { ChatService } from "@/lib/chat/chat-service";
import { type Device, DeviceRegistry } from "@/lib/devices";
import { Thermometer } from "@/lib/devices/thermometer";
import type { Notifier } from "@/lib/chat/notifier";
import type { ChatMessage } from "@/lib/contract/payloads";
import type { ServerEvent } from "@/lib/contract/events";
import { type OpenStore, openStore } from "@/lib/store";
import { InFlight } from "@/lib/in-flight";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everyone counts as online; each delivery is acknowledged after `deliveryMs`. */
class SlowNotifier implements Notifier {
  readonly emitted: { to: string; event: ServerEvent; payload: unknown }[] = [];
  constructor(private readonly deliveryMs: number) {}
  async isOnline() {
    return true;
  }
  async onlineUsers() {
    return new Set<string>();
  }
  async deliver() {
    await sleep(this.deliveryMs);
    return true;
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

let dir: string;
let database: OpenStore;
let accounts: AccountService;
let counter = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "chat-shutdown-"));
  database = await openStore(`file:${path.join(dir, "chat.db")}`);
  accounts = new AccountService(
    database.accounts,
    () => false,
    loginProtection(database.throttles, DEFAULT_LOGIN_SETTINGS),
  );
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

async function person(): Promise<string> {
  const username = `p${++counter}`;
  await accounts.login({ username, password: "secret" }, "127.0.0.1");
  return username;
}

describe("work in flight", () => {
  test("a scope's work counts in its parent too, the parent's not in the scope, and each waits for its own", async () => {
    const server = new InFlight();
    const socket = server.scope();
    const settled: string[] = [];
    const work = (name: string, ms: number) => sleep(ms).then(() => settled.push(name));
    socket.track(work("send", 50));
    server.track(work("request", 150));

    await socket.idle();
    expect(settled).toEqual(["send"]);
    await server.drain(5_000);
    expect(settled).toEqual(["send", "request"]);
  });

  test("idle waits for work started while it waits, and drain gives up at its deadline", async () => {
    const inFlight = new InFlight();
    const settled: string[] = [];
    inFlight.track(
      sleep(20).then(() => {
        inFlight.track(sleep(30).then(() => settled.push("started meanwhile")));
      }),
    );
    await inFlight.idle();
    expect(settled).toEqual(["started meanwhile"]);

    const started = Date.now();
    inFlight.track(sleep(1_000));
    await inFlight.drain(50);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe("the chat's background work is tracked", () => {
  test("a live delivery and its delivery mark finish before the drain resolves", async () => {
    const inFlight = new InFlight();
    const chat = new ChatService(database, new SlowNotifier(100), { inFlight });
    const [alice, bob] = [await person(), await person()];
    const { message } = await chat.send(alice, { destination: bob, message: "just before shutdown" });

    await inFlight.drain(5_000);
    const [stored] = await chat.history(alice, { with: bob });
    expect(stored).toMatchObject({ id: message.id, deliveredAt: expect.any(String) });
  });

  test("a device command and its reply finish before the drain resolves", async () => {
    const inFlight = new InFlight();
    const devices = new DeviceRegistry();
    const chat = new ChatService(database, new SlowNotifier(0), { inFlight, devices });
    const device: Device = {
      name: "slowdevice",
      kind: "thermometer",
      online: true,
      room: "thermometer:slowdevice",
      async handleCommand(command) {
        await sleep(100);
        await chat.sendFromDevice("slowdevice", command.sender, "done", { type: "notification" });
      },
      describe: () => Promise.reject(new Error("not used")),
      readings: async () => [],
      start() {},
      async stop() {},
    };
    devices.register(device);
    const alice = await person();
    await chat.send(alice, { destination: "slowdevice", message: "work" });

    await inFlight.drain(5_000);
    const history = await chat.history(alice, { with: "slowdevice" });
    expect(history.map((m: ChatMessage) => [m.sender, m.message, m.deliveredAt !== null])).toEqual([
      [alice, "work", false],
      ["slowdevice", "done", true],
    ]);
  });
});

test("a thermometer stopped while a reboot is under way stays stopped", async () => {
  const notifier = new SlowNotifier(0);
  const chat = new ChatService(database, notifier);
  const settings = { intervalMs: 20, rebootMs: 50, min: 15, max: 30, retention: 1_000 };
  const thermometer = new Thermometer("thermo9", settings, chat, database.devices, notifier);
  thermometer.start();
  const alice = await person();
  await sleep(50);

  const command: ChatMessage = {
    id: "reboot-command",
    sender: alice,
    destination: "thermo9",
    message: "reboot",
    timestamp: new Date().toISOString(),
    type: "command",
    metadata: null,
    deliveredAt: null,
    readAt: null,
  };
  const rebooting = thermometer.handleCommand(command);
  await thermometer.stop(); // while the reboot is storing its "rebooting…" reply
  await rebooting;
  const readingsAtStop = (await database.devices.readings("thermo9", { limit: 1_000 })).length;
  const emittedAtStop = notifier.emitted.length;

  await sleep(settings.rebootMs * 4);
  expect(thermometer.status).toBe("stopped");
  expect((await database.devices.readings("thermo9", { limit: 1_000 })).length).toBe(readingsAtStop);
  expect(
    notifier.emitted
      .slice(emittedAtStop)
      .filter((e) => e.event === "thermometer:status" || e.event === "thermometer:reading"),
  ).toEqual([]);
});
