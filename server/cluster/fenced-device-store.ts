import type { DeviceStore } from "../../lib/store";

/**
 * The device store as a device's job sees it on an instance of a cluster: a reading is written only while this
 * instance holds the device's lease with time to spare (DeviceLease.mayWrite), checked right before each write.
 * The job is stopped as soon as the lease is in doubt, so this refusal is the backstop, not the usual path.
 *
 * Everything else is the store itself: the object delegates to it through its prototype, so the store's own
 * methods (and its database handle) are used unchanged.
 */
export function fencedDeviceStore(store: DeviceStore, mayWrite: (device: string) => boolean): DeviceStore {
  const fenced = Object.create(store) as DeviceStore;
  fenced.saveReading = (reading) =>
    mayWrite(reading.device)
      ? store.saveReading(reading)
      : Promise.reject(new Error(`${reading.device}: not written, this instance no longer holds its lease`));
  return fenced;
}
