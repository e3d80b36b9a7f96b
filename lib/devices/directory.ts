/**
 * Every device this server runs, as one directory over the registry: what the HTTP API lists, the rooms a
 * person's sockets join — and the one pair of functions that starts and stops their background jobs, so that
 * with several instances they can run on exactly one.
 */
import { ChatError } from "../errors";
import type { DeviceSummary, ReadingEvent } from "../contract/payloads";
import { parsePayload } from "../contract/parse";
import { readingsQuerySchema } from "../contract/schemas";
import type { DeviceStore } from "../store";
import type { Device, DeviceDirectory } from "./device";
import type { DeviceRegistry } from "./registry";

export class Devices implements DeviceDirectory {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly store: DeviceStore,
  ) {}

  get all(): Device[] {
    return this.registry.all;
  }

  async list(person: string): Promise<DeviceSummary[]> {
    const subscribed = new Set(await this.store.subscriptionsOf(person));
    return Promise.all(this.all.map((device) => device.describe(subscribed.has(device.name))));
  }

  readings(name: string, query: unknown): Promise<ReadingEvent[]> {
    const device = this.registry.get(name);
    if (!device) throw new ChatError(404, `no device named '${name}'`);
    const { limit, since } = parsePayload(readingsQuerySchema, query);
    return device.readings({ limit, since: since ? new Date(since) : undefined });
  }

  async roomsFor(person: string): Promise<string[]> {
    const subscriptions = await this.store.subscriptionsOf(person);
    return subscriptions.flatMap((name) => this.registry.get(name)?.room ?? []);
  }

  /** Starts every device's background job. */
  startJobs(): void {
    for (const device of this.all) device.start();
  }

  /** Stops every job; resolves once the work in progress is stored. */
  async stopJobs(): Promise<void> {
    await Promise.all(this.all.map((device) => device.stop()));
  }
}
