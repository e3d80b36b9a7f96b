/**
 * A device is an account people message (`thermometer1: subscribe`) that answers instead of
 * storing messages for a person. Each kind of device (today only the thermometer) implements
 * `Device`; the directory is how the HTTP API and the socket layer see all of them.
 */
import type { ChatMessage, DeviceKind, DeviceSummary, ReadingEvent } from "../contract/payloads";

export interface Device {
  /** The name people message; no person can claim it, in any capitalisation. */
  readonly name: string;
  readonly kind: DeviceKind;
  /** Whether the device is up; shown as its presence. */
  readonly online: boolean;
  /** The room its live events go to; the sockets of people subscribed to it join it. */
  readonly room: string;
  /** Called after the command message is stored; replies go back through ChatService.sendFromDevice. */
  handleCommand(command: ChatMessage): Promise<void>;
  /** What the HTTP API reports about it. */
  describe(subscribed: boolean): Promise<DeviceSummary>;
  /** Its stored readings, oldest first. */
  readings(options: { limit: number; since?: Date }): Promise<ReadingEvent[]>;
  /** Starts its background job (timers); idempotent. */
  start(): void;
  /** Stops its job; resolves once the work in progress is stored. Nothing re-arms after this. */
  stop(): Promise<void>;
}

/** The devices a server runs, as the HTTP API and the socket layer see them. */
export interface DeviceDirectory {
  /** Every device, with whether `person` is subscribed to it. */
  list(person: string): Promise<DeviceSummary[]>;
  /** Stored readings of one device, oldest first, for a `{limit?, since?}` query; ChatError 404 for an unknown device. */
  readings(device: string, query: unknown): Promise<ReadingEvent[]>;
  /** The rooms a person's sockets join on connect: one per device they subscribe to. */
  roomsFor(person: string): Promise<string[]>;
}
