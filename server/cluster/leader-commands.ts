/**
 * Device commands that must run where the device's job runs, carried between instances by Socket.IO's
 * `serverSideEmit` (over the Redis adapter): every other instance answers, and the leader answers `true` once it has
 * carried the command out. An instance that died without Redis noticing yet makes the request wait for the adapter's
 * timeout (5 s); the answers that did arrive still count.
 */
import { errorField, logger } from "../log";
import type { ChatMessage } from "../../lib/contract/payloads";
import type { ChatServer } from "../realtime/types";
import type { LeasedDevice } from "./leased-device";

/** The adapter's own request timeout (5 s) plus a margin, for when even the request could not be sent. */
const FORWARD_TIMEOUT_MS = 6_000;

export class LeaderCommands {
  private readonly devices = new Map<string, LeasedDevice>();

  constructor(private readonly io: ChatServer) {
    io.on("device:command", (command, ack) => {
      const device = this.devices.get(command.destination);
      if (!device) return ack(false);
      device.handleAsLeader(command).then(ack, (error: unknown) => {
        logger.error(errorField(error), `${command.destination} forwarded command failed:`);
        ack(true); // it reached the leader; a retry elsewhere would not do better
      });
    });
  }

  register(device: LeasedDevice): void {
    this.devices.set(device.name, device);
  }

  /** Resolves with whether the leader of the command's device took it (false after FORWARD_TIMEOUT_MS). */
  forward(command: ChatMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), FORWARD_TIMEOUT_MS);
      this.io.serverSideEmit("device:command", command, (_timedOut: Error | null, handled: boolean[]) => {
        clearTimeout(timer);
        resolve((handled ?? []).includes(true));
      });
    });
  }
}
