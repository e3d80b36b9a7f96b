/** Token buckets per key (a person, an address group): a burst then the rate, a clear wait, bounded memory, hostile keys. */
import { addressBudget, addressGroup as addressGroupOf } from "@/lib/limits/address-group";
import { KeyedBuckets } from "@/lib/limits/keyed-buckets";

let now = 0;
const clock = () => now;
beforeEach(() => {
  now = 1_000_000;
});

function takeAll(buckets: KeyedBuckets, address: string): number {
  let taken = 0;
  while (buckets.take(address).allowed) taken += 1;
  return taken;
}

test("an address gets its burst at once, then its rate, and is told when to come back", () => {
  const buckets = new KeyedBuckets({ perSecond: 2, burst: 5 }, { maxKeys: 100, now: clock });
  expect(takeAll(buckets, "192.0.2.1")).toBe(5);
  expect(buckets.take("192.0.2.1")).toEqual({ allowed: false, retryAfterSeconds: 1 });
  now += 1_000; // a second refills two
  expect(takeAll(buckets, "192.0.2.1")).toBe(2);
  now += 60_000; // never more than the burst
  expect(takeAll(buckets, "192.0.2.1")).toBe(5);
});

test("the wait is rounded up to whole seconds, never 0", () => {
  const buckets = new KeyedBuckets({ perSecond: 0.1, burst: 1 }, { maxKeys: 100, now: clock });
  expect(buckets.take("192.0.2.1").allowed).toBe(true);
  expect(buckets.take("192.0.2.1")).toEqual({ allowed: false, retryAfterSeconds: 10 });
  now += 9_500;
  expect(buckets.take("192.0.2.1")).toEqual({ allowed: false, retryAfterSeconds: 1 });
});

test("one address's flood leaves every other address its own budget", () => {
  const buckets = new KeyedBuckets({ perSecond: 1, burst: 3 }, { maxKeys: 100, now: clock });
  expect(takeAll(buckets, "203.0.113.66")).toBe(3);
  expect(buckets.take("198.51.100.7").allowed).toBe(true);
  expect(buckets.take("2001:db8::1").allowed).toBe(true);
});

test("memory is bounded: past the cap the address used least recently is forgotten", () => {
  const buckets = new KeyedBuckets({ perSecond: 1, burst: 2 }, { maxKeys: 1_000, now: clock });
  expect(takeAll(buckets, "kept")).toBe(2);
  for (let i = 0; i < 5_000; i += 1) {
    buckets.take(`10.0.${i >> 8}.${i & 255}`);
    if (i % 100 === 0) buckets.take("kept"); // in use all along: stays remembered, and empty
    expect(buckets.size).toBeLessThanOrEqual(1_000);
  }
  expect(buckets.size).toBe(1_000);
  expect(buckets.take("kept").allowed).toBe(false);
  // The first of the many was forgotten: it starts again with a full burst.
  expect(takeAll(buckets, "10.0.0.0")).toBe(2);
});

test("a sweep forgets the addresses whose buckets are full again, so a quiet spell empties the map", () => {
  const buckets = new KeyedBuckets({ perSecond: 10, burst: 10 }, { maxKeys: 1_000, now: clock });
  for (let i = 0; i < 500; i += 1) buckets.take(`10.1.${i >> 8}.${i & 255}`);
  expect(takeAll(buckets, "busy")).toBe(10);
  expect(buckets.size).toBe(501);
  now += 50; // not full again yet: each of the 500 has 9.5 of its 10
  buckets.sweep();
  expect(buckets.size).toBe(501);
  now += 1_000;
  buckets.sweep();
  expect(buckets.size).toBe(0);
  // And the sweep runs by itself on a later take, every ten seconds.
  for (let i = 0; i < 50; i += 1) buckets.take(`10.2.0.${i}`);
  now += 10_000;
  buckets.take("192.0.2.1");
  expect(buckets.size).toBe(1);
});

test.each(["__proto__", "constructor", "toString", "hasOwnProperty", "", "unknown"])(
  "the address %j is only a key: its own bucket, nothing inherited",
  (address) => {
    const buckets = new KeyedBuckets({ perSecond: 1, burst: 2 }, { maxKeys: 100, now: clock });
    expect(takeAll(buckets, address)).toBe(2);
    expect(buckets.take(address)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.size).toBe(1);
    expect(takeAll(buckets, "192.0.2.1")).toBe(2);
  },
);

test("a cap below one key is a mistake", () => {
  expect(() => new KeyedBuckets({ perSecond: 1, burst: 1 }, { maxKeys: 0 })).toThrow(/maxKeys/);
});

test("an IPv6 host's /64 is one budget, however many of its addresses it uses and however it spells them", () => {
  const buckets = new KeyedBuckets({ perSecond: 1, burst: 3 }, { maxKeys: 100, now: clock, keyOf: addressGroupOf });
  expect(buckets.take("2001:db8:1:2::1").allowed).toBe(true);
  expect(buckets.take("2001:db8:1:2:aaaa:bbbb:cccc:dddd").allowed).toBe(true);
  expect(buckets.take("2001:0DB8:0001:0002:0000:0000:0000:0009").allowed).toBe(true);
  expect(buckets.take("2001:db8:1:2::ffff")).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect(buckets.size).toBe(1);
  // The next /64 along is someone else.
  expect(takeAll(buckets, "2001:db8:1:3::1")).toBe(3);
});

test("an IPv4-mapped IPv6 address spends its IPv4 address's budget", () => {
  const buckets = new KeyedBuckets({ perSecond: 1, burst: 2 }, { maxKeys: 100, now: clock, keyOf: addressGroupOf });
  expect(buckets.take("192.0.2.1").allowed).toBe(true);
  expect(buckets.take("::ffff:c000:201").allowed).toBe(true);
  expect(buckets.take("::ffff:192.0.2.1").allowed).toBe(false);
  expect(buckets.size).toBe(1);
});

test("one bucket per key, and only full ones are forgotten", () => {
  const buckets = new KeyedBuckets({ perSecond: 10, burst: 10 }, { now: clock });
  for (let i = 0; i < 10; i += 1) expect(buckets.get("alice").take()).toBe(true);
  expect(buckets.get("alice").take()).toBe(false);
  expect(buckets.get("bob").take()).toBe(true);

  now += 500; // alice is half full, bob is full again
  buckets.sweep();
  expect(buckets.size).toBe(1);
  // Forgetting alice now would hand her a fresh burst; she still has only what refilled.
  let taken = 0;
  while (buckets.get("alice").take()) taken += 1;
  expect(taken).toBe(5);
});

test("addressBudget counts an address by its group", () => {
  const budget = addressBudget({ perSecond: 1, burst: 1 });
  expect(budget.take("2001:db8:1:2::1").allowed).toBe(true);
  expect(budget.take("2001:db8:1:2::2").allowed).toBe(false);
});
