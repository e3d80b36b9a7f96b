/**
 * How fast passwords can be guessed and names claimed, counted in the store (lib/store/throttles.ts) so the
 * bounds hold across restarts and instances.
 *
 * - Passwords for one name from one address (`login <address group> <name>`): a password is counted when it is about to
 *   be checked, before the check, so at most `perAddress` (5) are ever checked in a row, however many arrive at
 *   once; the one that would be the 5th also locks the pair for 30 s should it be wrong, each further one doubles
 *   the lock, up to 15 min. Someone guessing from one address does not lock the owner out on another.
 * - Passwords for one name from every address together (`name <name>`): the same schedule after a much higher
 *   count (`perName`, 100), against guessing spread over many addresses. Reaching it locks the owner out too,
 *   for the same minutes: the price of bounding guesses at a name from everywhere.
 * - A right password forgets both counts; a count nobody touched for a day is forgotten too.
 * - Names claimed from one address (`signup <address group>`): `signupsPerWindow` (10) per `signupWindowMs` (an hour).
 */
import { addressGroup } from "../limits/address-group";
import { ChatError } from "../errors";
import { log } from "../log";
import type { ThrottleDecision, ThrottleState, ThrottleStore } from "../store/throttles";

export interface LoginLimits {
  /** Passwords checked in a row for one name from one address before it is locked there. */
  perAddress: number;
  /** Passwords checked in a row for one name from all addresses together before it is locked everywhere. */
  perName: number;
  /** The first lock; each further attempt doubles it, up to `longestLockMs`. */
  firstLockMs: number;
  longestLockMs: number;
  /** Names one address may claim per window. */
  signupsPerWindow: number;
  signupWindowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: 5,
  perName: 100,
  firstLockMs: 30_000,
  longestLockMs: 15 * 60_000,
  signupsPerWindow: 10,
  signupWindowMs: 60 * 60_000,
};

/** How long a counter lingers after its last attempt or lock, so that old mistakes stop counting. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;
/** Pruning expired rows is a housekeeping write; once in a while is enough. */
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * How long a key stays locked after its `attempts`-th password in a row, with `free` allowed: nothing for the
 * first `free - 1`, then the first lock, doubling with each further attempt up to the longest.
 */
export function lockAfter(attempts: number, free: number, limits: Pick<LoginLimits, "firstLockMs" | "longestLockMs">) {
  if (attempts < free) return 0;
  return Math.min(limits.longestLockMs, limits.firstLockMs * 2 ** Math.min(attempts - free, 30));
}

/**
 * The counters' keys. An address counts as its group (an IPv6 address as its /64, lib/address-group.ts), here and
 * nowhere else, so a host cannot win fresh guesses or sign-ups by moving to another address in its own /64.
 */
const keys = {
  pair: (address: string, username: string) => `login ${addressGroup(address)} ${username}`,
  name: (username: string) => `name ${username}`,
  signup: (address: string) => `signup ${addressGroup(address)}`,
};

/** A counted login attempt: forget the counts if the password was right. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

export class LoginThrottle {
  private lastPrune = 0;

  constructor(
    private readonly store: ThrottleStore,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /**
   * Refuses (429) a login that would be refused anyway, without counting it: a cheap read before a caller
   * waits for its turn to hash a password. Not atomic; `reserveLogin` is what decides.
   */
  async refuseIfLocked(address: string, username: string, now: Date): Promise<void> {
    const states = await Promise.all([
      this.store.state(keys.pair(address, username), now),
      this.store.state(keys.name(username), now),
    ]);
    for (const state of states) if (state.until && state.until > now) throw locked(username, state.until, now);
  }

  /** Counts a password about to be checked, or refuses it (429) while the name is locked here or everywhere. */
  async reserveLogin(address: string, username: string, now: Date): Promise<LoginAttempt> {
    this.pruneNowAndThen(now);
    const pair = keys.pair(address, username);
    const name = keys.name(username);
    for (const [key, free] of [
      [pair, this.limits.perAddress],
      [name, this.limits.perName],
    ] as const) {
      const decision = await this.store.reserve(key, now, (state) => this.nextLogin(state, free, now));
      if (!decision.allow) throw locked(username, decision.retryAt, now);
    }
    return { succeeded: () => Promise.all([this.store.clear(pair), this.store.clear(name)]).then(() => undefined) };
  }

  /** Refuses (429) a sign-up from an address that has claimed its share of names, without counting it. */
  async refuseIfTooManySignups(address: string, now: Date): Promise<void> {
    const decision = this.nextSignup(await this.store.state(keys.signup(address), now), now);
    if (!decision.allow) throw tooManySignups(decision.retryAt, now);
  }

  /** Counts a name claimed from this address, or refuses it (429). */
  async reserveSignup(address: string, now: Date): Promise<void> {
    this.pruneNowAndThen(now);
    const decision = await this.store.reserve(keys.signup(address), now, (state) => this.nextSignup(state, now));
    if (!decision.allow) throw tooManySignups(decision.retryAt, now);
  }

  private nextLogin(state: ThrottleState, free: number, now: Date): ThrottleDecision {
    if (state.until && state.until > now) return { allow: false, retryAt: state.until };
    const attempts = state.attempts + 1;
    const lockMs = lockAfter(attempts, free, this.limits);
    const until = lockMs > 0 ? new Date(now.getTime() + lockMs) : null;
    return { allow: true, next: { attempts, until }, expiresAt: new Date((until ?? now).getTime() + FORGET_AFTER_MS) };
  }

  private nextSignup(state: ThrottleState, now: Date): ThrottleDecision {
    const windowOpen = state.until !== null && state.until > now;
    if (windowOpen && state.attempts >= this.limits.signupsPerWindow) return { allow: false, retryAt: state.until! };
    const until = windowOpen ? state.until! : new Date(now.getTime() + this.limits.signupWindowMs);
    return { allow: true, next: { attempts: windowOpen ? state.attempts + 1 : 1, until }, expiresAt: until };
  }

  private pruneNowAndThen(now: Date): void {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now.getTime();
    this.store.prune(now).catch((error) => log.error("pruning login counters failed:", error));
  }
}

function locked(username: string, until: Date, now: Date): ChatError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new ChatError(429, `too many wrong passwords for '${username}': try again in ${seconds} s`);
}

function tooManySignups(until: Date, now: Date): ChatError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return new ChatError(429, `too many new accounts from your address: try again in ${minutes} min`);
}
