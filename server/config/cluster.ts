/** Several instances (server/cluster): on only when REDIS_URL is set, and then one of several sharing that Redis. */
import { z } from "zod";
import { type AreaValue, area, setting } from "./define";
import { optionalText } from "./kinds";

export const clusterArea = area(
  {
    /** The Redis every instance shares (Socket.IO adapter, presence registry, device leases). */
    redisUrl: setting(
      "REDIS_URL",
      optionalText().pipe(
        z
          .url({
            protocol: /^rediss?$/,
            error: "REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
          })
          .optional(),
      ),
    ),
    /**
     * How long a device lease lasts without renewal. The holder renews it every fifth of this and the others try to
     * take it as often, so a crashed leader's devices move within about 1.2 × this.
     */
    leaseTtlMs: setting("DEVICE_LEASE_TTL_MS", z.coerce.number().int().min(1000).max(60_000).default(5000)),
    /**
     * How long an instance may go without a heartbeat before it counts as dead and its people as offline.
     * Heartbeats (and the search for dead instances) run every third of this.
     */
    instanceTimeoutMs: setting("INSTANCE_TIMEOUT_MS", z.coerce.number().int().min(1500).max(120_000).default(6000)),
  },
  ({ redisUrl, ...timing }) => (redisUrl ? { redisUrl, ...timing } : undefined),
);

/** Present only when REDIS_URL is set. */
export type ClusterSettings = NonNullable<AreaValue<typeof clusterArea>>;
