/**
 * Token buckets: a bucket holds up to `burst` tokens and refills at `perSecond`; each event takes
 * one, and an event that finds it empty is over the limit. A person can send a burst (pasting a few
 * lines) at once and keep a steady pace, and a flood is cut to that pace.
 */
export interface Rate {
  perSecond: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.burst;
    this.updatedAt = now();
  }

  /** Whether a token is there to take (nothing is taken). */
  canTake(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  /** Takes a token if there is one; false means over the limit. */
  take(): boolean {
    if (!this.canTake()) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until a token is there to take: 0 when one is. */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate.perSecond) * 1000;
  }

  /** Full again: as good as a new bucket. */
  isFull(): boolean {
    this.refill();
    return this.tokens >= this.rate.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate.perSecond);
    this.updatedAt = now;
  }
}

/** Takes one token from each bucket, or from none when any is empty (a refused event costs nothing). */
export function takeFromAll(...buckets: TokenBucket[]): boolean {
  if (!buckets.every((bucket) => bucket.canTake())) return false;
  for (const bucket of buckets) bucket.take();
  return true;
}
