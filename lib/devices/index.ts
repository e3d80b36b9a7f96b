/**
 * The device domain: builds the devices named in the configuration, registers each in the registry the chat
 * reads (so a message to one becomes a command), and returns their directory. Starting their timers is a
 * separate step (`startJobs`), taken by whoever decides this instance runs them.
 * A second kind of device goes in its own module beside thermometer.ts, implementing `Device`.
 */
import type { ChatService } from "../chat/chat-service";
import type { Notifier } from "../chat/notifier";
import type { DeviceStore } from "../store";
import type { Device } from "./device";
import { Devices } from "./directory";
import type { DeviceRegistry } from "./registry";
import { Thermometer, type ThermometerSettings } from "./thermometer";

export { Devices } from "./directory";
export { DeviceRegistry } from "./registry";
export type { Device, DeviceDirectory } from "./device";
export type { ThermometerSettings } from "./thermometer";

export interface DeviceSettings {
  /** Names of the thermometers to run. */
  thermometers: string[];
  thermometer: ThermometerSettings;
}

export function createDevices(
  settings: DeviceSettings,
  deps: {
    /** Where the chat finds them; made before the chat, since the devices reply through it. */
    registry: DeviceRegistry;
    chat: ChatService;
    store: DeviceStore;
    notifier: Notifier;
    /** Wraps each device before anyone sees it: with several instances, a lease decides where its job runs. */
    wrap?: (device: Device) => Device;
  },
): Devices {
  const thermometers: Device[] = settings.thermometers.map(
    (name) => new Thermometer(name, settings.thermometer, deps.chat, deps.store, deps.notifier),
  );
  const devices = deps.wrap ? thermometers.map(deps.wrap) : thermometers;
  for (const device of devices) deps.registry.register(device);
  return new Devices(deps.registry, deps.store);
}
