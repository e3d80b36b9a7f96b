/**
 * The server's background jobs, started and stopped through one pair of functions so that, with
 * several instances, they can later run on exactly one elected instance.
 */
import type { ChatService, Notifier } from "../../lib/chat";
import type { DeviceDirectory } from "../../lib/devices";
import { ChatError } from "../../lib/errors";
import { parsePayload, readingsQuerySchema, type DeviceSummary, type ReadingEvent } from "../../lib/protocol";
import type { DeviceStore } from "../../lib/store";
import type { Config } from "../config";
import { Thermometer, thermometerRoom } from "./thermometer";

export interface BackgroundJobs {
  devices: DeviceDirectory;
  stop(): Promise<void>;
}

export function startBackgroundJobs(
  config: Config,
  deps: { chat: ChatService; devices: DeviceStore; notifier: Notifier },
): BackgroundJobs {
  const thermometers = config.thermometers.map(
    (name) => new Thermometer(name, config.thermometer, deps.chat, deps.devices, deps.notifier),
  );
  for (const thermometer of thermometers) {
    deps.chat.registerService(thermometer);
    thermometer.start();
  }
  return {
    devices: new Thermometers(thermometers, deps.devices),
    stop: async () => {
      await Promise.all(thermometers.map((thermometer) => thermometer.stop()));
    },
  };
}

class Thermometers implements DeviceDirectory {
  private readonly byName: Map<string, Thermometer>;

  constructor(
    thermometers: Thermometer[],
    private readonly store: DeviceStore,
  ) {
    this.byName = new Map(thermometers.map((thermometer) => [thermometer.username, thermometer]));
  }

  async list(person: string): Promise<DeviceSummary[]> {
    const subscribed = new Set(await this.store.subscriptionsOf(person));
    return Promise.all([...this.byName.values()].map((device) => device.describe(subscribed.has(device.username))));
  }

  readings(device: string, query: unknown): Promise<ReadingEvent[]> {
    const thermometer = this.byName.get(device);
    if (!thermometer) throw new ChatError(404, `no device named '${device}'`);
    const { limit, since } = parsePayload(readingsQuerySchema, query);
    return thermometer.readings({ limit, since: since ? new Date(since) : undefined });
  }

  async roomsFor(person: string): Promise<string[]> {
    const subscriptions = await this.store.subscriptionsOf(person);
    return subscriptions.filter((device) => this.byName.has(device)).map(thermometerRoom);
  }
}
