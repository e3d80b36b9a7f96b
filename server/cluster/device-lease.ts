/**
 * A device's leader lease in Redis: the key `chat:lease:<device>` holds the id of the one instance that may run the
 * device's job, and expires after DEVICE_LEASE_TTL_MS unless that instance renews it. Claiming and renewing are one
 * Lua script (take it when free, extend it when ours), releasing is a compare-and-delete, so no instance ever
 * extends or deletes a lease another one holds.
 *
 * Fencing. The holder counts the lease as valid until TTL after it *sent* the renewal that Redis confirmed; Redis
 * lets it expire TTL after it *ran* that renewal, which is later. A write may start only while at least half the TTL
 * is left (`mayWrite`), and a reading's write takes milliseconds, so it finishes long before anyone else can take
 * the lease. The remaining risk is a process frozen for more than half the TTL between that check and its write.
 *
 * A Redis that restarts empty forgets every lease while their holders still count on them. So the script plants a
 * marker (`chat:lease-epoch`, Redis's own clock) the first time it runs on an empty Redis, and a free lease is
 * taken only once the marker is a TTL old: by then every former holder's own count has run out. The check runs in
 * Redis when the command runs, so a claim that waited in a client's offline queue through the restart is held to it
 * too. (The cost: on a brand-new Redis the devices start one TTL late.)
 */
import type { DeviceStatus } from "../../lib/contract/payloads";
import type { Redis } from "./redis";
import { withTimeout } from "./redis";

const leaseKey = (device: string) => `chat:lease:${device}`;
const statusKey = (device: string) => `chat:device-status:${device}`;
const EPOCH = "chat:lease-epoch";

/** Returns {1, status written} when the caller holds the lease now, else {0, the holder's last status}. */
const CLAIM_OR_RENEW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local epoch = tonumber(redis.call('GET', KEYS[3]))
if not epoch then
  redis.call('SET', KEYS[3], now)
  epoch = now
end
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or (not holder and now - epoch >= tonumber(ARGV[2])) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
  return {1, ARGV[3]}
end
return {0, redis.call('GET', KEYS[2]) or 'stopped'}`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0`;

export interface LeaseState {
  held: boolean;
  /** The device's status as its leader last wrote it; `stopped` when nobody runs it. */
  status: DeviceStatus;
}

export class DeviceLease {
  private validUntil = 0;

  constructor(
    private readonly redis: Redis,
    readonly device: string,
    private readonly owner: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the lease if it is free, renews it if it is ours, and publishes `status` when it is ours. */
  async claimOrRenew(status: DeviceStatus): Promise<LeaseState> {
    const sentAt = Date.now();
    const [held, current] = (await withTimeout(
      this.redis.eval(CLAIM_OR_RENEW, {
        keys: [leaseKey(this.device), statusKey(this.device), EPOCH],
        arguments: [this.owner, String(this.ttlMs), status],
      }),
      this.ttlMs,
    )) as [number, string];
    if (held === 1) this.validUntil = sentAt + this.ttlMs;
    return { held: held === 1 && this.mayWrite(), status: current as DeviceStatus };
  }

  /** True while this instance holds the lease with at least half its TTL left (see the fencing note above). */
  mayWrite(): boolean {
    return Date.now() + this.ttlMs / 2 < this.validUntil;
  }

  /** Gives the lease up at once, if it is still ours, so another instance can take it on its next try. */
  async release(): Promise<void> {
    this.validUntil = 0;
    await withTimeout(
      this.redis.eval(RELEASE, { keys: [leaseKey(this.device), statusKey(this.device)], arguments: [this.owner] }),
      2_000,
    ).catch(() => {}); // Redis is away: the lease runs out by itself
  }
}
