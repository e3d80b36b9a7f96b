/**
 * A device as one instance of several sees it. Every instance builds every device, but only the holder of the
 * device's lease runs its job; the others keep trying to take the lease, so one of them carries on within about
 * 1.2 × DEVICE_LEASE_TTL_MS when the holder dies (at once when it stops gracefully and releases the lease).
 *
 * Commands: `subscribe`, `unsubscribe`, `range` and `help` only read and write the store and emit through rooms, so
 * the instance that received the command answers it. `reboot` acts on the running job, so it goes to the leader
 * (`forwardToLeader`); with no leader it is answered with a notice to try again shortly.
 */
import { logger } from "../log";
import type { ChatService } from "../../lib/chat/chat-service";
import { parseDeviceCommand } from "../../lib/contract/commands";
import type { Device } from "../../lib/devices";
import type { ChatMessage, DeviceStatus, DeviceSummary, ReadingEvent } from "../../lib/contract/payloads";
import type { DeviceLease } from "./device-lease";

/** Commands that act on the running job and so must run where the job runs. */
const LEADER_COMMANDS = new Set(["reboot"]);

export class LeasedDevice implements Device {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private trying = false;
  private leaderStatus: DeviceStatus = "stopped";

  constructor(
    private readonly device: Device,
    private readonly lease: DeviceLease,
    private readonly chat: ChatService,
    /** Hands a command to the leader of its device; resolves with whether one took it. */
    private readonly forwardToLeader: (command: ChatMessage) => Promise<boolean>,
  ) {}

  get name(): string {
    return this.device.name;
  }

  /** Whether the device's job runs on this instance now. */
  get isLeading(): boolean {
    return this.leading;
  }

  get kind() {
    return this.device.kind;
  }

  get room(): string {
    return this.device.room;
  }

  /** Whether this instance runs the device's job now. */
  get isLeader(): boolean {
    return this.leading;
  }

  get online(): boolean {
    return this.leading ? this.device.online : this.leaderStatus === "running";
  }

  private get localStatus(): DeviceStatus {
    return this.device.online ? "running" : "rebooting";
  }

  /** Joins the election: tries to take (or renew) the lease now and every fifth of its TTL. */
  start(): void {
    if (this.timer) return;
    void this.campaign();
    this.timer = setInterval(() => void this.campaign(), Math.floor(this.lease.ttlMs / 5));
    this.timer.unref();
  }

  /** Leaves the election: stops the job (its reading in progress is stored first), then releases the lease. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const wasLeading = this.leading;
    this.leading = false;
    await this.device.stop();
    if (wasLeading) await this.lease.release();
  }

  private async campaign(): Promise<void> {
    // A renewal that Redis has not answered for half the TTL means the lease may be lost: stop writing now.
    if (this.leading && !this.lease.mayWrite()) await this.resign("its lease could not be renewed in time");
    if (this.trying) return;
    this.trying = true;
    try {
      const state = await this.lease.claimOrRenew(this.leading ? this.localStatus : "running");
      if (!this.timer) return; // stopped meanwhile
      this.leaderStatus = state.status;
      if (state.held && !this.leading) {
        this.leading = true;
        logger.info(`> ${this.name}: this instance runs its job now`);
        this.device.start();
      } else if (!state.held && this.leading) {
        await this.resign("another instance holds its lease");
      }
    } catch {
      // Redis did not answer; mayWrite() stops the job if that lasts.
    } finally {
      this.trying = false;
    }
  }

  private async resign(why: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    logger.info(`> ${this.name}: job stopped here, ${why}`);
    await this.device.stop();
  }

  async handleCommand(command: ChatMessage): Promise<void> {
    const word = parseDeviceCommand(command.message);
    if (this.leading || !word || !LEADER_COMMANDS.has(word)) return this.device.handleCommand(command);
    if (await this.forwardToLeader(command)) return;
    await this.chat.sendFromDevice(
      this.name,
      command.sender,
      `${this.name} is moving to another server and cannot ${word} right now; try again in a few seconds.`,
      { type: "notification", metadata: { device: this.name, command: word, status: "stopped" } },
    );
  }

  /** A command another instance forwarded; false when this instance is not the leader (any more). */
  async handleAsLeader(command: ChatMessage): Promise<boolean> {
    if (!this.leading) return false;
    await this.device.handleCommand(command);
    return true;
  }

  async describe(subscribed: boolean): Promise<DeviceSummary> {
    const summary = await this.device.describe(subscribed);
    return this.leading ? summary : { ...summary, status: this.leaderStatus };
  }

  readings(options: { limit: number; since?: Date }): Promise<ReadingEvent[]> {
    return this.device.readings(options);
  }
}
