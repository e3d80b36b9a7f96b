/**
 * The device store (../devices.ts) in Prisma Client calls, exactly what MongoDB runs. The SQLite implementation
 * (../sqlite/devices.ts) extends it with a statement of its own for the subscriptions every socket's arrival reads.
 */
import type { Database } from "../database";
import type { DeviceStore, Reading, ReadingStats } from "../devices";
import { DEFAULT_RETRY_POLICY, isUniqueViolation, type RetryPolicy, retryOnConflict } from "../retry";

const toReading = (row: { device: string; value: number; unit: string; timestamp: Date }): Reading => ({
  device: row.device,
  value: row.value,
  unit: row.unit,
  timestamp: row.timestamp.toISOString(),
});

export class PortableDeviceStore implements DeviceStore {
  constructor(
    private readonly db: Database,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  async saveReading(reading: Omit<Reading, "timestamp"> & { timestamp: Date }): Promise<Reading> {
    return toReading(await this.write(() => this.db.reading.create({ data: reading })));
  }

  /** The latest `limit` readings (optionally only those at or after `since`), returned oldest first. */
  async readings(device: string, options: { limit: number; since?: Date }): Promise<Reading[]> {
    const rows = await this.db.reading.findMany({
      where: { device, ...(options.since ? { timestamp: { gte: options.since } } : {}) },
      orderBy: [{ timestamp: "desc" }, { id: "desc" }],
      take: options.limit,
    });
    return rows.reverse().map(toReading);
  }

  /** Min, max and last of the latest `window` readings, or undefined before the first reading. */
  async stats(device: string, window: number): Promise<ReadingStats | undefined> {
    const recent = await this.readings(device, { limit: window });
    const newest = recent[recent.length - 1];
    if (!newest) return undefined;
    const values = recent.map((r) => r.value);
    return {
      min: Math.min(...values),
      max: Math.max(...values),
      last: newest.value,
      count: recent.length,
      from: recent[0]!.timestamp,
      to: newest.timestamp,
    };
  }

  /** Deletes all but the newest `keep` readings of a device. */
  async trimReadings(device: string, keep: number): Promise<void> {
    const oldestKept = await this.db.reading.findFirst({
      where: { device },
      orderBy: [{ timestamp: "desc" }, { id: "desc" }],
      skip: keep - 1,
      select: { timestamp: true },
    });
    if (oldestKept) {
      await this.write(() =>
        this.db.reading.deleteMany({ where: { device, timestamp: { lt: oldestKept.timestamp } } }),
      );
    }
  }

  /**
   * Idempotent. On MongoDB Prisma's upsert is a read then an insert, so two subscribes at once can
   * both insert: the unique index refuses the second (P2002), which means the subscription exists.
   */
  async subscribe(username: string, device: string): Promise<void> {
    try {
      await this.write(() =>
        this.db.subscription.upsert({
          where: { username_device: { username, device } },
          create: { username, device },
          update: {},
        }),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async unsubscribe(username: string, device: string): Promise<void> {
    await this.write(() => this.db.subscription.deleteMany({ where: { username, device } }));
  }

  async subscriptionsOf(username: string): Promise<string[]> {
    const rows = await this.db.subscription.findMany({ where: { username }, select: { device: true } });
    return rows.map((row) => row.device);
  }

  private write<T>(operation: () => Promise<T>): Promise<T> {
    return retryOnConflict(operation, this.retry);
  }
}
