import type { DeviceSummary, ReadingEvent } from "./protocol";

/** The devices a server runs, as the HTTP API and the socket layer see them. */
export interface DeviceDirectory {
  /** Every device, with whether `person` is subscribed to it. */
  list(person: string): Promise<DeviceSummary[]>;
  /** Stored readings of one device, oldest first, for a `{limit?, since?}` query; ChatError 404 for an unknown device. */
  readings(device: string, query: unknown): Promise<ReadingEvent[]>;
  /** The rooms a person's sockets join on connect: one per device they subscribe to. */
  roomsFor(person: string): Promise<string[]>;
}
