/**
 * The device store: temperature readings (bounded per device) and people's subscriptions to devices. Two
 * implementations: portable/devices.ts (Prisma Client calls, what MongoDB runs) and sqlite/devices.ts (the
 * subscriptions every socket's arrival reads, as a prepared SQLite statement); openStore (index.ts) picks one.
 */

export interface Reading {
  device: string;
  value: number;
  unit: string;
  timestamp: string;
}

export interface ReadingStats {
  min: number;
  max: number;
  last: number;
  count: number;
  /** Timestamps of the oldest and newest reading the numbers were taken from. */
  from: string;
  to: string;
}

export interface DeviceStore {
  saveReading(reading: Omit<Reading, "timestamp"> & { timestamp: Date }): Promise<Reading>;
  /** The latest `limit` readings (optionally only those at or after `since`), returned oldest first. */
  readings(device: string, options: { limit: number; since?: Date }): Promise<Reading[]>;
  /** Min, max and last of the latest `window` readings, or undefined before the first reading. */
  stats(device: string, window: number): Promise<ReadingStats | undefined>;
  /** Deletes all but the newest `keep` readings of a device. */
  trimReadings(device: string, keep: number): Promise<void>;
  /** Idempotent: subscribing twice is one subscription. */
  subscribe(username: string, device: string): Promise<void>;
  unsubscribe(username: string, device: string): Promise<void>;
  subscriptionsOf(username: string): Promise<string[]>;
}
