/**
 * The devices this server runs, by name: the one place that knows whether a name is a device's. The chat looks a
 * destination up here (a message to a device is stored as a command and handed to it), the directory lists and
 * finds devices here, and accounts and groups keep device names unclaimed here, in any capitalisation. It is made
 * empty before the chat, because devices reply through the chat, and createDevices fills it.
 */
import type { Device } from "./device";

export class DeviceRegistry {
  private readonly byName = new Map<string, Device>();
  private readonly lowerCaseNames = new Set<string>();

  /** A later device of the same name takes the earlier one's place. */
  register(device: Device): void {
    this.byName.set(device.name, device);
    this.lowerCaseNames.add(device.name.toLowerCase());
  }

  /** The device of exactly this name (messages are addressed by the name as registered). */
  get(name: string): Device | undefined {
    return this.byName.get(name);
  }

  /** Whether `name` is a device's in any capitalisation, so nobody can claim `Thermometer1`. */
  isDeviceName(name: string): boolean {
    return this.lowerCaseNames.has(name.toLowerCase());
  }

  get all(): Device[] {
    return [...this.byName.values()];
  }
}
