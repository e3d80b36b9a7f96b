/**
 * The domain services' own rules, called directly: ChatService and AccountService on a real
 * temporary SQLite file, with a recording Notifier in place of Socket.IO (the Notifier is the
 * project's own seam; the socket layer's side is covered by the integration tests).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AccountService } from "@/lib/accounts/account-service";
import { DEFAULT_LOGIN_SETTINGS, type LoginSettings, loginProtection } from "@/lib/accounts/login-protection";
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from "@/lib/accounts/login-throttle";
import { ChatService } from "@/lib/chat/chat-service";
import { type Device, DeviceRegistry } from "@/lib/devices";
import type { Notifier } from "@/lib/chat/notifier";
import type { ChatMessage } from "@/lib/contract/payloads";
import { DEFAULT_PERSON_RATES } from "@/lib/limits/person-limits";
import { TokenBucket } from "@/lib/limits/token-bucket";
import type { ServerEvent } from "@/lib/contract/events";
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
let devices: DeviceRegistry;
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
  devices = new DeviceRegistry();
  devices.register(device);
  chat = new ChatService(database, notifier, { now: () => clock, devices });
  accounts = accountService();
});

/** An AccountService on the shared store, with the default login limits unless told otherwise. */
function accountService(limits: Partial<LoginLimits> = {}, hashing: { concurrency?: number; queue?: number } = {}) {
  const settings: LoginSettings = {
    limits: { ...DEFAULT_LOGIN_LIMITS, ...limits },
    hashConcurrency: hashing.concurrency ?? DEFAULT_LOGIN_SETTINGS.hashConcurrency,
    hashQueue: hashing.queue ?? DEFAULT_LOGIN_SETTINGS.hashQueue,
  };
  return new AccountService(
    database.accounts,
    (name) => devices.isDeviceName(name), // the registry the chat reads: one answer for both
    loginProtection(database.throttles, settings),
    () => clock,
  );
}

let counter = 0;
const fresh = (prefix: string) => `${prefix}${++counter}`;
let addresses = 0;
/** An address no other login in this file came from. */
const newAddress = () => {
  addresses += 1;
  return `10.0.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
};
const HOME = "192.0.2.1";
async function person(prefix = "p"): Promise<string> {
  const username = fresh(prefix);
  await accounts.login({ username, password: "secret" }, newAddress());
  return username;
}
const statuses = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) => (r.status === "fulfilled" ? 200 : (r.reason as { status: number }).status));
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe("AccountService", () => {
  test("the first login claims a name; later logins need its password", async () => {
    const username = fresh("claim");
    expect(await accounts.login({ username, password: "pw1" }, HOME)).toMatchObject({ username, created: true });
    expect(await accounts.login({ username, password: "pw1" }, HOME)).toMatchObject({ username, created: false });
    await expect(accounts.login({ username, password: "pw2" }, HOME)).rejects.toMatchObject({ status: 401 });
  });

  test("a device's name cannot be claimed in any capitalisation", async () => {
    await expect(accounts.login({ username: "SENSOR9", password: "pw" }, HOME)).rejects.toMatchObject({ status: 403 });
    expect(await database.accounts.findUser("SENSOR9")).toBeNull();
  });

  test("five wrong passwords from one address lock the name there for 30 s, even against the right one; then it opens again", async () => {
    const username = await person("lock");
    for (let i = 0; i < 5; i += 1) {
      await expect(accounts.login({ username, password: "wrong" }, HOME)).rejects.toMatchObject({ status: 401 });
    }
    await expect(accounts.login({ username, password: "secret" }, HOME)).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining("try again in 30 s"),
    });
    clock = new Date(clock.getTime() + 30_001);
    expect(await accounts.login({ username, password: "secret" }, HOME)).toMatchObject({ username });
    // The right password reset the count: one more wrong one does not lock again.
    await expect(accounts.login({ username, password: "wrong" }, HOME)).rejects.toMatchObject({ status: 401 });
    expect(await accounts.login({ username, password: "secret" }, HOME)).toMatchObject({ username });
    // Locked again after five more, the lock doubles with each further attempt.
    for (let i = 0; i < 5; i += 1) await accounts.login({ username, password: "wrong" }, HOME).catch(() => undefined);
    clock = new Date(clock.getTime() + 30_001);
    await expect(accounts.login({ username, password: "wrong" }, HOME)).rejects.toMatchObject({ status: 401 });
    await expect(accounts.login({ username, password: "secret" }, HOME)).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining("try again in 60 s"),
    });
  });

  test("50 wrong passwords at once from one address: exactly 5 checked, 45 refused unchecked (429, or 503 past the queue)", async () => {
    const username = await person("swarm");
    const results = statuses(
      await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => accounts.login({ username, password: `guess ${i}` }, HOME)),
      ),
    );
    expect(count(results, 401)).toBe(5);
    expect(count(results, 429) + count(results, 503)).toBe(45);
  });

  test("guesses locking a name on one address leave its owner free to log in from another", async () => {
    const username = await person("owner");
    for (let i = 0; i < 6; i += 1) await accounts.login({ username, password: "wrong" }, HOME).catch(() => undefined);
    await expect(accounts.login({ username, password: "secret" }, HOME)).rejects.toMatchObject({ status: 429 });
    expect(await accounts.login({ username, password: "secret" }, newAddress())).toMatchObject({ username });
  });

  test("guesses at one name from many addresses stop at the per-name bound, for everyone until the lock ends", async () => {
    const guarded = accountService({ perName: 8 });
    const username = await person("spread");
    const results: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      results.push(
        ...statuses(await Promise.allSettled([guarded.login({ username, password: `guess ${i}` }, newAddress())])),
      );
    }
    expect(results).toEqual([...Array.from({ length: 8 }, () => 401), 429, 429, 429, 429]);
    await expect(guarded.login({ username, password: "secret" }, newAddress())).rejects.toMatchObject({ status: 429 });
    clock = new Date(clock.getTime() + 30_001);
    expect(await guarded.login({ username, password: "secret" }, newAddress())).toMatchObject({ username });
  });

  test("one address claims at most its share of names per window; others still can, and so can it later", async () => {
    const limited = accountService({ signupsPerWindow: 3, signupWindowMs: 60_000 });
    const from = newAddress();
    const results = statuses(
      await Promise.allSettled(
        Array.from({ length: 6 }, () => limited.login({ username: fresh("new"), password: "pw" }, from)),
      ),
    );
    expect([count(results, 200), count(results, 429)]).toEqual([3, 3]);
    await expect(limited.login({ username: fresh("new"), password: "pw" }, from)).rejects.toMatchObject({
      status: 429,
      message: "too many new accounts from your address: try again in 1 min",
    });
    expect(await limited.login({ username: fresh("new"), password: "pw" }, newAddress())).toMatchObject({
      created: true,
    });
    clock = new Date(clock.getTime() + 60_001);
    expect(await limited.login({ username: fresh("new"), password: "pw" }, from)).toMatchObject({ created: true });
  });

  test("passwords hashed at once are bounded: beyond the queue a login hears 503 'the server is busy: try again'", async () => {
    const narrow = accountService({}, { concurrency: 1, queue: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => narrow.login({ username: fresh("busy"), password: "pw" }, newAddress())),
    );
    expect([count(statuses(results), 200), count(statuses(results), 503)]).toEqual([3, 7]);
    for (const result of results.filter((r) => r.status === "rejected"))
      expect((result as PromiseRejectedResult).reason.message).toBe("the server is busy: try again");
    // Nothing is left holding a place: the next one goes through.
    expect(await narrow.login({ username: fresh("busy"), password: "pw" }, newAddress())).toMatchObject({
      created: true,
    });
  });

  test("a session authenticates until logout, and not after it expires", async () => {
    const username = fresh("sess");
    const { token } = await accounts.login({ username, password: "pw" }, HOME);
    expect(await accounts.authenticate(token)).toBe(username);
    await accounts.logout(token);
    expect(await accounts.authenticate(token)).toBeUndefined();

    const { token: second } = await accounts.login({ username, password: "pw" }, HOME);
    clock = new Date(clock.getTime() + 31 * 24 * 60 * 60 * 1000);
    expect(await accounts.authenticate(second)).toBeUndefined();
    expect(await accounts.authenticate(undefined)).toBeUndefined();
  });
});

describe("ending sessions", () => {
  test("logout and logout everywhere tell the listeners which sessions ended, by key", async () => {
    const ended: string[][] = [];
    const stop = accounts.onSessionsEnded((keys) => ended.push(keys));
    const username = fresh("ends");
    const first = await accounts.login({ username, password: "pw" }, "127.0.0.1");
    const second = await accounts.login({ username, password: "pw" }, "127.0.0.1");
    const third = await accounts.login({ username, password: "pw" }, "127.0.0.1");
    const [one, two, three] = await Promise.all([first, second, third].map((s) => accounts.session(s.token)));
    expect(one).toMatchObject({ username, key: expect.any(String), expiresAt: expect.any(Date) });

    await accounts.logout(first.token);
    expect(ended).toEqual([[one!.key]]);
    await accounts.logoutEverywhere(username);
    expect(ended[1]!.sort()).toEqual([two!.key, three!.key].sort());
    expect(await accounts.session(second.token)).toBeUndefined();
    expect(await accounts.sessionByKey(three!.key)).toBeUndefined();

    await accounts.logoutEverywhere(username); // nothing left: nobody is told
    expect(ended).toHaveLength(2);
    stop();
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
    const online = await chat.send(alice, { destination: bob, message: "now" }, { socketId: "alice-socket" });
    expect(online.online).toBe(true);
    await waitFor(() => notifier.emitted.some((e) => e.event === "message:status" && e.to === alice));
    expect(notifier.delivered.map((m) => m.message)).toEqual(["now"]);
    // The sender's other tabs got the echo.
    expect(notifier.emitted).toContainEqual({ to: alice, event: "message", payload: online.message });

    const [waiting] = (await chat.check(bob)).messages;
    expect(waiting).toMatchObject({ message: "later", stored: true });
    expect(await chat.check(bob)).toEqual({ messages: [], next: null });
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

describe("ChatService takes from each person's allowance itself", () => {
  const slow = (burst: number) => ({ perSecond: 0.01, burst });
  const refusedWith = (message: string) => ({ status: 429, code: "rate-limited", message });

  test("sends, checks and read receipts past the person's allowance are refused 429, and change nothing", async () => {
    const limited = new ChatService(database, notifier, {
      allowances: { send: slow(1), check: slow(1), read: slow(1) },
    });
    const [alice, bob] = [await person("a"), await person("b")];
    await limited.send(alice, { destination: bob, message: "one" });
    await expect(limited.send(alice, { destination: bob, message: "two" })).rejects.toMatchObject(
      refusedWith("too many messages: slow down (at most 0.01 a second per person)"),
    );
    await limited.check(bob);
    await expect(limited.check(bob)).rejects.toMatchObject(
      refusedWith("too many checks: slow down (at most 0.01 a second per person)"),
    );
    await limited.markRead(alice, { with: bob });
    await expect(limited.markRead(alice, { with: bob })).rejects.toMatchObject(
      refusedWith("too many read receipts: slow down (at most 0.01 a second per person)"),
    );
    expect((await limited.history(alice, { with: bob })).map((m) => m.message)).toEqual(["one"]);
    // Someone else's allowance is their own.
    expect(await limited.send(bob, { destination: alice, message: "hi" })).toMatchObject({ online: false });
  });

  test("a connection's allowance is taken with the person's or neither is, and the connection hears of a refusal at once", async () => {
    const limited = new ChatService(database, notifier, { allowances: { ...DEFAULT_PERSON_RATES, send: slow(2) } });
    const [alice, bob] = [await person("a"), await person("b")];
    const send = (message: string) => ({ destination: bob, message });
    let refusals = 0;
    const allowance = { bucket: new TokenBucket(slow(1)), rate: slow(1), onRefused: () => (refusals += 1) };

    await limited.send(alice, send("one"), { allowance });
    const refused = limited.send(alice, send("two"), { allowance });
    expect(refusals).toBe(1); // told before the refusal reaches the caller
    await expect(refused).rejects.toMatchObject(
      refusedWith("too many messages: slow down (at most 0.01 a second per connection, 0.01 per person)"),
    );
    // The refusal spent nothing of the person's: another door still has the one left.
    await limited.send(alice, send("three"));
    await expect(limited.send(alice, send("four"))).rejects.toMatchObject({ status: 429 });
    expect(refusals).toBe(1);
  });

  test("a payload still to be read (an HTTP body) is read only once the allowance lets the request through", async () => {
    const limited = new ChatService(database, notifier, { allowances: { ...DEFAULT_PERSON_RATES, send: slow(1) } });
    const [alice, bob] = [await person("a"), await person("b")];
    let reads = 0;
    const body = async () => {
      reads += 1;
      return { destination: bob, message: `read ${reads}` };
    };
    expect((await limited.send(alice, body)).message.message).toBe("read 1");
    await expect(limited.send(alice, body)).rejects.toMatchObject({ status: 429 });
    expect(reads).toBe(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
