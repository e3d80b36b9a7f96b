/** The store under pressure, and what protects logins: password guessing, sign-up floods, hashing at once. */
import { z } from "zod";
import { DEFAULT_LOGIN_SETTINGS, type LoginSettings } from "../../lib/accounts/login-protection";
import { DEFAULT_STORE_BUSY_TIMEOUT_MS } from "../../lib/store";
import { type AreaValue, area, setting } from "./define";
import { count } from "./kinds";

export const storeArea = area({
  /** How long a write waits (asynchronously) for another connection's SQLite lock before "try again" (503). */
  busyTimeoutMs: setting("STORE_BUSY_TIMEOUT_MS", count(0, 600_000, DEFAULT_STORE_BUSY_TIMEOUT_MS)),
  /** SQLite: the most 4 KiB pages the file may grow to (writes beyond it: 507); 0 for no cap but the disk's. */
  maxPages: setting("STORE_MAX_PAGES", count(0, 2 ** 31 - 2, 0)),
});
export type StoreSettings = AreaValue<typeof storeArea>;

const limits = DEFAULT_LOGIN_SETTINGS.limits;

export const loginArea = area(
  {
    limits: area({
      perAddress: setting("LOGIN_ATTEMPTS_PER_ADDRESS", count(1, 1_000, limits.perAddress)),
      perName: setting("LOGIN_ATTEMPTS_PER_NAME", count(1, 100_000, limits.perName)),
      firstLockMs: setting("LOGIN_LOCK_MS", count(1_000, 86_400_000, limits.firstLockMs)),
      longestLockMs: setting("LOGIN_LOCK_MAX_MS", count(1_000, 86_400_000, limits.longestLockMs)),
      signupsPerWindow: setting("SIGNUPS_PER_ADDRESS", count(1, 100_000, limits.signupsPerWindow)),
      signupWindowMs: setting("SIGNUP_WINDOW_MS", count(1_000, 7 * 86_400_000, limits.signupWindowMs)),
    }),
    hashConcurrency: setting(
      "PASSWORD_HASH_CONCURRENCY",
      z.coerce.number().int().min(1).max(64).default(DEFAULT_LOGIN_SETTINGS.hashConcurrency),
    ),
    hashQueue: setting("PASSWORD_HASH_QUEUE", count(0, 100_000, DEFAULT_LOGIN_SETTINGS.hashQueue)),
  },
  (login, problem): LoginSettings => {
    // The longest lock cannot be shorter than the first.
    if (login.limits.longestLockMs < login.limits.firstLockMs)
      problem("LOGIN_LOCK_MAX_MS", "LOGIN_LOCK_MAX_MS must be at least LOGIN_LOCK_MS");
    return login;
  },
);
