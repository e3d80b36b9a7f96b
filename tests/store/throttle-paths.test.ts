/**
 * Attempt counters (the login and sign-up throttle's rows) on the SQLite fast path and on the portable
 * compare-and-set code MongoDB runs, on one database file: the same decisions and states whichever path counts, each
 * path reading what the other wrote, and no more attempts allowed than the rule says when many race for them.
 */
import type { OpenStore } from "@/lib/store";
import type { ThrottleDecision, ThrottleState } from "@/lib/store/throttles";
import { type BothPaths, openBothPaths } from "../support/both-paths";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);
const DAY_MS = 86_400_000;

/** At most `limit` attempts, then locked for a minute; the row counts for a day. */
const upTo =
  (limit: number) =>
  (state: ThrottleState): ThrottleDecision =>
    state.until && state.until > NOW
      ? { allow: false, retryAt: state.until }
      : {
          allow: true,
          next: { attempts: state.attempts + 1, until: state.attempts + 1 >= limit ? later(60_000) : null },
          expiresAt: later(DAY_MS),
        };

let stores: BothPaths;
let fast: OpenStore;
let portable: OpenStore;

beforeAll(async () => {
  stores = await openBothPaths();
  ({ fast, portable } = stores);
});

afterAll(() => stores.close());

test.each([
  ["the fast path counts, both read", () => fast, "key-a"],
  ["the portable code counts, both read", () => portable, "key-b"],
])("%s: the same states and decisions", async (_case, counter, key) => {
  const states = async () => {
    const [fromFast, fromPortable] = await Promise.all([
      fast.throttles.state(key, NOW),
      portable.throttles.state(key, NOW),
    ]);
    expect(fromFast).toEqual(fromPortable);
    return fromFast;
  };
  expect(await states()).toEqual({ attempts: 0, until: null });
  expect(await counter().throttles.reserve(key, NOW, upTo(2))).toMatchObject({ allow: true });
  expect(await states()).toEqual({ attempts: 1, until: null });
  expect(await counter().throttles.reserve(key, NOW, upTo(2))).toMatchObject({ allow: true });
  expect(await states()).toEqual({ attempts: 2, until: later(60_000) });
  expect(await counter().throttles.reserve(key, NOW, upTo(2))).toEqual({ allow: false, retryAt: later(60_000) });
  // A day later the row no longer counts, for either path.
  expect(await fast.throttles.state(key, later(DAY_MS))).toEqual({ attempts: 0, until: null });
  expect(await portable.throttles.state(key, later(DAY_MS))).toEqual({ attempts: 0, until: null });
  await counter().throttles.clear(key);
  expect(await states()).toEqual({ attempts: 0, until: null });
});

test("many attempts racing for five, from both paths at once, get exactly five", async () => {
  const decisions = await Promise.all(
    Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? fast : portable).throttles.reserve("raced", NOW, upTo(5))),
  );
  expect(decisions.filter((decision) => decision.allow)).toHaveLength(5);
  expect(await fast.throttles.state("raced", NOW)).toEqual({ attempts: 5, until: later(60_000) });
});
