/**
 * The pieces of login protection that need no store: the lock schedule, the hashing gate, and the settings read
 * from the environment. (The counters in the store: tests/unit/store.test.ts; the whole: services and integration.)
 */
import { ConcurrencyGate } from "@/lib/limits/concurrency-gate";
import { DEFAULT_LOGIN_LIMITS, lockAfter } from "@/lib/accounts/login-throttle";
import { loadConfig } from "@/server/config";

test("a few attempts cost nothing; the last free one locks for 30 s, each further one doubles it, up to 15 minutes", () => {
  const lock = (attempts: number) => lockAfter(attempts, 5, DEFAULT_LOGIN_LIMITS);
  expect([1, 2, 4].map(lock)).toEqual([0, 0, 0]);
  expect([5, 6, 7, 8].map(lock)).toEqual([30_000, 60_000, 120_000, 240_000]);
  expect(lock(50)).toBe(15 * 60_000);
  expect(lock(10_000)).toBe(15 * 60_000);
  expect(lockAfter(100, 100, DEFAULT_LOGIN_LIMITS)).toBe(30_000);
});

describe("ConcurrencyGate", () => {
  const busy = () => new Error("busy");
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  test("runs at most `concurrency` tasks at once, queues `queue` more in order, refuses the rest at once", async () => {
    const gate = new ConcurrencyGate(2, 2, busy);
    const release = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const tasks = release.map((step, i) =>
      gate.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await step.promise;
        running -= 1;
        return i;
      }),
    );
    await expect(tasks[4]).rejects.toThrow("busy");
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    release[1]!.resolve();
    await tasks[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const step of release) step.resolve();
    expect(await Promise.all(tasks.slice(0, 4))).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  test("a task that throws gives its place to the next one", async () => {
    const gate = new ConcurrencyGate(1, 1, busy);
    const failing = gate.run(async () => {
      throw new Error("scrypt failed");
    });
    const next = gate.run(async () => "next");
    await expect(failing).rejects.toThrow("scrypt failed");
    expect(await next).toBe("next");
    expect(await gate.run(async () => "free again")).toBe("free again");
  });
});

describe("login settings", () => {
  const env = (variables: Record<string, string>) => ({ NODE_ENV: "production", ...variables }) as NodeJS.ProcessEnv;

  test("default to 5 per address, 100 per name, 30 s doubling to 15 min, 10 sign-ups an hour, 2 hashes with 32 waiting", () => {
    const config = loadConfig(env({}));
    expect(config.login).toEqual({
      limits: {
        perAddress: 5,
        perName: 100,
        firstLockMs: 30_000,
        longestLockMs: 900_000,
        signupsPerWindow: 10,
        signupWindowMs: 3_600_000,
      },
      hashConcurrency: 2,
      hashQueue: 32,
    });
    expect(config.store).toEqual({ busyTimeoutMs: 5_000, maxPages: 0 });
  });

  test("each is read from its variable", () => {
    const config = loadConfig(
      env({
        LOGIN_ATTEMPTS_PER_ADDRESS: "3",
        LOGIN_ATTEMPTS_PER_NAME: "50",
        LOGIN_LOCK_MS: "10000",
        LOGIN_LOCK_MAX_MS: "60000",
        SIGNUPS_PER_ADDRESS: "2",
        SIGNUP_WINDOW_MS: "86400000",
        PASSWORD_HASH_CONCURRENCY: "4",
        PASSWORD_HASH_QUEUE: "0",
        STORE_BUSY_TIMEOUT_MS: "250",
        STORE_MAX_PAGES: "25600",
      }),
    );
    expect(config.login).toEqual({
      limits: {
        perAddress: 3,
        perName: 50,
        firstLockMs: 10_000,
        longestLockMs: 60_000,
        signupsPerWindow: 2,
        signupWindowMs: 86_400_000,
      },
      hashConcurrency: 4,
      hashQueue: 0,
    });
    expect(config.store).toEqual({ busyTimeoutMs: 250, maxPages: 25_600 });
  });

  test.each([
    [{ LOGIN_ATTEMPTS_PER_ADDRESS: "0" }, /LOGIN_ATTEMPTS_PER_ADDRESS/],
    [{ LOGIN_ATTEMPTS_PER_NAME: "many" }, /LOGIN_ATTEMPTS_PER_NAME/],
    [{ LOGIN_LOCK_MS: "10" }, /LOGIN_LOCK_MS/],
    [{ LOGIN_LOCK_MS: "60000", LOGIN_LOCK_MAX_MS: "30000" }, /LOGIN_LOCK_MAX_MS must be at least LOGIN_LOCK_MS/],
    [{ SIGNUPS_PER_ADDRESS: "-1" }, /SIGNUPS_PER_ADDRESS/],
    [{ SIGNUP_WINDOW_MS: "1.5" }, /SIGNUP_WINDOW_MS/],
    [{ PASSWORD_HASH_CONCURRENCY: "0" }, /PASSWORD_HASH_CONCURRENCY/],
    [{ PASSWORD_HASH_QUEUE: "-5" }, /PASSWORD_HASH_QUEUE/],
    [{ STORE_BUSY_TIMEOUT_MS: "soon" }, /STORE_BUSY_TIMEOUT_MS/],
    [{ STORE_MAX_PAGES: "-1" }, /STORE_MAX_PAGES/],
  ])("a bad value stops the start: %j", (variables, message) => {
    expect(() => loadConfig(env(variables))).toThrow(message);
  });
});
