/**
 * What keeps logins from being abused, built from the settings: the attempt counters (login-throttle.ts) and the
 * bound on passwords hashed at once (concurrency-gate.ts). AccountService takes one of these.
 */
import { ConcurrencyGate } from "../limits/concurrency-gate";
import { busyError, type ChatError } from "../errors";
import { DEFAULT_LOGIN_LIMITS, type LoginLimits, LoginThrottle } from "./login-throttle";
import type { ThrottleStore } from "../store/throttles";

export interface LoginProtection {
  throttle: LoginThrottle;
  /** Around every scrypt hash or check; full, it refuses with 503 "the server is busy: try again". */
  hashing: ConcurrencyGate;
}

export interface LoginSettings {
  limits: LoginLimits;
  /** Passwords hashed or checked at once: half of libuv's four threads, leaving the rest to file reads and DNS. */
  hashConcurrency: number;
  /** Logins and sign-ups waiting for a turn to hash; beyond them a request is refused with 503 at once. */
  hashQueue: number;
}

export const DEFAULT_LOGIN_SETTINGS: LoginSettings = {
  limits: DEFAULT_LOGIN_LIMITS,
  hashConcurrency: 2,
  hashQueue: 32,
};

/** The 503 of a full hashing gate; a hash takes tens of ms, so a second later there is usually room. */
export function hashingFullError(): ChatError {
  return busyError("server", { retryAfterSeconds: 1 });
}

export function loginProtection(
  store: ThrottleStore,
  settings: LoginSettings = DEFAULT_LOGIN_SETTINGS,
): LoginProtection {
  return {
    throttle: new LoginThrottle(store, settings.limits),
    hashing: new ConcurrencyGate(settings.hashConcurrency, settings.hashQueue, hashingFullError),
  };
}
