/**
 * The small lookups of the hot paths — a connection's session, device subscriptions, groups and `lastSeen` write; a
 * group message's group, membership and members — answered by the SQLite fast paths and by the portable code MongoDB
 * runs, on one database file: both give the same answers, and each sees what the other wrote.
 */
import type { OpenStore } from "@/lib/store";
import { type BothPaths, openBothPaths } from "../support/both-paths";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);

let stores: BothPaths;
let fast: OpenStore;
let portable: OpenStore;

beforeAll(async () => {
  stores = await openBothPaths();
  ({ fast, portable } = stores);
  const ann = await fast.accounts.createUser("ann", "hash");
  await portable.accounts.createUser("bo", "hash");
  await fast.accounts.createSession(ann!.id, "live-token-hash", later(60_000));
  await fast.accounts.createSession(ann!.id, "expired-token-hash", later(-1));
  await fast.accounts.createSession(ann!.id, "ends-now-token-hash", NOW);
  await fast.devices.subscribe("ann", "thermometer1");
  await fast.devices.subscribe("ann", "thermometer2");
  await fast.groups.create("walkers", "ann", ["bo"], NOW);
  await fast.groups.create("readers", "bo", ["ann"], later(1));
  await fast.groups.create("bo-only", "bo", [], later(2));
});

afterAll(() => stores.close());

/** Asks both stores the same question; they must agree, and the answer is returned for the test's own checks. */
async function bothSay<T>(ask: (store: OpenStore) => Promise<T>): Promise<T> {
  const [fromFast, fromPortable] = await Promise.all([ask(fast), ask(portable)]);
  expect(fromFast).toEqual(fromPortable);
  return fromFast;
}

const byName = <T extends { name: string }>(rows: T[]) => [...rows].sort((a, b) => a.name.localeCompare(b.name));

test("a live session is found with its person and end; an unknown, expired or just-ended one is not", async () => {
  expect(await bothSay((store) => store.accounts.liveSession("live-token-hash", NOW))).toEqual({
    username: "ann",
    expiresAt: later(60_000),
  });
  expect(await bothSay((store) => store.accounts.sessionUser("live-token-hash", NOW))).toBe("ann");
  for (const hash of ["expired-token-hash", "ends-now-token-hash", "no-such-hash", "__proto__", ""]) {
    expect(await bothSay((store) => store.accounts.liveSession(hash, NOW))).toBeUndefined();
    expect(await bothSay((store) => store.accounts.sessionUser(hash, NOW))).toBeUndefined();
  }
});

test("a person's device subscriptions, none for someone without any or unknown", async () => {
  const sorted = (devices: string[]) => [...devices].sort();
  expect(sorted(await bothSay(async (store) => sorted(await store.devices.subscriptionsOf("ann"))))).toEqual([
    "thermometer1",
    "thermometer2",
  ]);
  expect(await bothSay((store) => store.devices.subscriptionsOf("bo"))).toEqual([]);
  expect(await bothSay((store) => store.devices.subscriptionsOf("constructor"))).toEqual([]);
});

test("a person's groups as whole rows, their times included; none for someone in no group", async () => {
  const anns = await bothSay(async (store) => byName(await store.groups.groupsOf("ann")));
  expect(anns.map((group) => [group.name, group.owner, group.createdAt])).toEqual([
    ["readers", "bo", later(1)],
    ["walkers", "ann", NOW],
  ]);
  expect((await bothSay(async (store) => byName(await store.groups.groupsOf("bo")))).map((g) => g.name)).toEqual([
    "bo-only",
    "readers",
    "walkers",
  ]);
  expect(await bothSay((store) => store.groups.groupsOf("nobody"))).toEqual([]);
});

test("a group by name, whether someone is a member, and its members longest-standing first", async () => {
  const walkers = await bothSay((store) => store.groups.byName("walkers"));
  expect(walkers).toMatchObject({ name: "walkers", owner: "ann", createdAt: NOW });
  expect(await bothSay((store) => store.groups.byName("no-such-group"))).toBeNull();
  expect(await bothSay((store) => store.groups.byName("__proto__"))).toBeNull();
  expect(await bothSay((store) => store.groups.isMember(walkers!.id, "bo"))).toBe(true);
  expect(await bothSay((store) => store.groups.isMember(walkers!.id, "nobody"))).toBe(false);
  expect(await bothSay((store) => store.groups.isMember("no-such-id", "ann"))).toBe(false);
  expect(await bothSay((store) => store.groups.members(walkers!.id))).toEqual([
    { username: "ann", joinedAt: NOW },
    { username: "bo", joinedAt: later(1) },
  ]);
  expect(await bothSay((store) => store.groups.members("no-such-id"))).toEqual([]);
});

test("lastSeen written by either path is read back the same by both", async () => {
  const lastSeenOf = async (store: OpenStore, username: string) =>
    (await store.accounts.listUsers()).find((user) => user.username === username)?.lastSeen;
  await fast.accounts.touchLastSeen("ann", later(5_000));
  expect(await bothSay((store) => lastSeenOf(store, "ann"))).toEqual(later(5_000));
  await portable.accounts.touchLastSeen("ann", later(6_000));
  await fast.accounts.touchLastSeen("bo", later(7_000));
  expect(await bothSay((store) => lastSeenOf(store, "ann"))).toEqual(later(6_000));
  expect(await bothSay((store) => lastSeenOf(store, "bo"))).toEqual(later(7_000));
  await fast.accounts.touchLastSeen("nobody", later(8_000)); // nobody to touch: no error, nothing written
  expect(await bothSay((store) => store.accounts.userExists("nobody"))).toBe(false);
});
