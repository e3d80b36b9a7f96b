/** The settings of several instances, validated in server/config.ts; present only when REDIS_URL is set. */
export interface ClusterSettings {
  /** REDIS_URL: the Redis every instance shares (Socket.IO adapter, presence registry, device leases). */
  redisUrl: string;
  /**
   * DEVICE_LEASE_TTL_MS: how long a device lease lasts without renewal. The holder renews it every fifth of this
   * and the others try to take it as often, so a crashed leader's devices move within about 1.2 × this.
   */
  leaseTtlMs: number;
  /**
   * INSTANCE_TIMEOUT_MS: how long an instance may go without a heartbeat before it counts as dead and its people
   * as offline. Heartbeats (and the search for dead instances) run every third of this.
   */
  instanceTimeoutMs: number;
}
