/**
 * A token bucket per key, in bounded memory: per person (sends, checks, read receipts, typing) and per client
 * address (logins and sign-ups, socket handshakes). One class for both, because both keys are hostile input in
 * the same way: anyone can present a new address with every request, and a name like `__proto__` is a valid
 * username. So the buckets live in a Map (every key is just a key), in order of last use, holding at most `maxKeys`.
 *
 * A bucket that is full again is as good as a new one and is dropped by a sweep every few seconds, so the map holds
 * only keys active lately; forgetting a bucket earlier (at a person's last disconnect, say) would hand a fresh burst
 * to anyone who came back. Past the cap the key used least recently is forgotten: whoever controls more keys than
 * the cap can win a fresh burst for one of them, but they get as many buckets anyway — the cap bounds memory, and
 * each key is still held to its rate while it is remembered.
 */
import { type Rate, TokenBucket } from "./token-bucket";

/** About 200 bytes a key: a few MB at the cap, whatever a flood of new addresses does. */
export const DEFAULT_MAX_KEYS = 10_000;

const SWEEP_EVERY_MS = 10_000;

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface KeyedBucketsOptions {
  maxKeys?: number;
  /** What a raw key counts as: an address's group (an IPv6 /64 is one budget, lib/limits/address-group.ts). */
  keyOf?: (raw: string) => string;
  now?: () => number;
}

export class KeyedBuckets {
  /** Least recently used first (a Map keeps insertion order; a use moves a key to the end). */
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly maxKeys: number;
  private readonly keyOf: (raw: string) => string;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(
    readonly rate: Rate,
    options: KeyedBucketsOptions = {},
  ) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    if (!(this.maxKeys >= 1)) throw new Error("maxKeys must be at least 1");
    this.keyOf = options.keyOf ?? ((raw) => raw);
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  /** The bucket of `raw`'s key, created full; for taking from it together with others (takeFromAll). */
  get(raw: string): TokenBucket {
    if (this.now() - this.lastSweep >= SWEEP_EVERY_MS) this.sweep();
    const key = this.keyOf(raw);
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // to the end: used most recently
    } else {
      bucket = new TokenBucket(this.rate, this.now);
      if (this.buckets.size >= this.maxKeys) this.forgetLeastRecent();
    }
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Takes a token from `raw`'s bucket; without one, says when there will be one (whole seconds, at least 1). */
  take(raw: string): Verdict {
    const bucket = this.get(raw);
    if (bucket.take()) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.msUntilToken() / 1000)) };
  }

  /** Drops the buckets that are full again: nothing would be lost by starting those keys afresh. */
  sweep(): void {
    this.lastSweep = this.now();
    for (const [key, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetLeastRecent(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}
