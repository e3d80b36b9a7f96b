/**
 * A token bucket per client address group, in bounded memory: the edge's budget for what one address may start
 * (account requests, socket handshakes) before any costly work is done for it. An IPv6 address shares its bucket
 * with the rest of its /64, which one host can hold whole; an IPv4 address has its own (lib/address-group.ts).
 *
 * Addresses are hostile input: anyone can present a new one with every request (many /64s, or a botnet), so the
 * buckets live in a Map (a key like `__proto__` is just a key) holding at most `maxGroups` of them. A bucket that is
 * full again is as good as a new one and is dropped by a sweep every few seconds; past the cap the group used least
 * recently is dropped. Someone who controls more groups than the cap can thereby win a fresh burst for one of them,
 * but whoever has that many gets as many buckets anyway: the cap bounds memory, and each group is still held to its
 * rate while it is remembered.
 */
import { addressGroup } from "../../lib/address-group";
import { type Rate, TokenBucket } from "../../lib/rate-limit";

/** About 200 bytes a group: a few MB at the cap, whatever a flood of new addresses does. */
export const DEFAULT_MAX_GROUPS = 10_000;

const SWEEP_EVERY_MS = 10_000;

export type AddressVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class AddressBuckets {
  /** In order of last use, least recent first (a Map keeps insertion order; a use moves a key to the end). */
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep: number;

  constructor(
    readonly rate: Rate,
    private readonly maxGroups = DEFAULT_MAX_GROUPS,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxGroups) || maxGroups < 1) throw new Error("maxGroups must be at least 1");
    this.lastSweep = now();
  }

  /**
   * Takes a token from the bucket of `address`'s group; without one, says when there will be one (whole seconds, at
   * least 1). The one place a budget turns an address into its key, so every caller passes the exact address.
   */
  take(address: string): AddressVerdict {
    if (this.now() - this.lastSweep >= SWEEP_EVERY_MS) this.sweep();
    const bucket = this.bucketOf(addressGroup(address));
    if (bucket.take()) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(bucket.msUntilToken() / 1000)) };
  }

  /** Drops the buckets that are full again: nothing would be lost by starting those groups afresh. */
  sweep(): void {
    this.lastSweep = this.now();
    for (const [group, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(group);
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucketOf(group: string): TokenBucket {
    let bucket = this.buckets.get(group);
    if (bucket) {
      this.buckets.delete(group); // to the end: used most recently
    } else {
      bucket = new TokenBucket(this.rate, this.now);
      if (this.buckets.size >= this.maxGroups) this.forgetLeastRecent();
    }
    this.buckets.set(group, bucket);
    return bucket;
  }

  private forgetLeastRecent(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}
