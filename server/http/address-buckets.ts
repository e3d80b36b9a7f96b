/**
 * A token bucket per client address, in bounded memory: the edge's budget for what one address may start (account
 * requests, socket handshakes) before any costly work is done for it.
 *
 * Addresses are hostile input: anyone can present a new one with every request (many IPv6 addresses, or a botnet),
 * so the buckets live in a Map (a key like `__proto__` is just a key) holding at most `maxAddresses` of them. A
 * bucket that is full again is as good as a new one and is dropped by a sweep every few seconds; past the cap the
 * address used least recently is dropped. Someone who controls more addresses than the cap can thereby win a fresh
 * burst for one of them, but whoever has that many addresses gets as many buckets anyway: the cap bounds memory,
 * and each address is still held to its rate while it is remembered.
 */
import { type Rate, TokenBucket } from "../../lib/rate-limit";

/** About 200 bytes an address: a few MB at the cap, whatever a flood of new addresses does. */
export const DEFAULT_MAX_ADDRESSES = 10_000;

const SWEEP_EVERY_MS = 10_000;

export type AddressVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class AddressBuckets {
  /** In order of last use, least recent first (a Map keeps insertion order; a use moves a key to the end). */
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep: number;

  constructor(
    readonly rate: Rate,
    private readonly maxAddresses = DEFAULT_MAX_ADDRESSES,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxAddresses) || maxAddresses < 1) throw new Error("maxAddresses must be at least 1");
    this.lastSweep = now();
  }

  /** Takes a token from `address`'s bucket; without one, says when there will be one (whole seconds, at least 1). */
  take(address: string): AddressVerdict {
    if (this.now() - this.lastSweep >= SWEEP_EVERY_MS) this.sweep();
    const bucket = this.bucketOf(address);
    if (bucket.take()) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.msUntilToken() / 1000)) };
  }

  /** Drops the buckets that are full again: nothing would be lost by starting those addresses afresh. */
  sweep(): void {
    this.lastSweep = this.now();
    for (const [address, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(address);
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucketOf(address: string): TokenBucket {
    let bucket = this.buckets.get(address);
    if (bucket) {
      this.buckets.delete(address); // to the end: used most recently
    } else {
      bucket = new TokenBucket(this.rate, this.now);
      if (this.buckets.size >= this.maxAddresses) this.forgetLeastRecent();
    }
    this.buckets.set(address, bucket);
    return bucket;
  }

  private forgetLeastRecent(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}
