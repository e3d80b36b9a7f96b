/**
 * A thermometer device: an account people message (`thermometer1: subscribe`) and an
 * interval job that stores a reading and publishes it to the room `thermometer:<device>`.
 */
import type { ChatService } from "../chat/chat-service";
import { parseDeviceCommand, type DeviceCommand } from "../contract/commands";
import type { Notifier } from "../chat/notifier";
import type { ChatMessage, DeviceStatus, DeviceSummary, ReadingEvent } from "../contract/payloads";
import type { DeviceStore } from "../store";
import { log } from "../log";
import type { Device } from "./device";
import { RandomWalk } from "./sensor";

export interface ThermometerSettings {
  intervalMs: number;
  rebootMs: number;
  min: number;
  max: number;
  /** Readings kept per device; older ones are trimmed. */
  retention: number;
}

export const UNIT = "°C";
/** How many of the latest readings `range` reports on. */
export const RANGE_WINDOW = 100;
const TRIM_EVERY_TICKS = 100;

export const thermometerRoom = (device: string) => `thermometer:${device}`;

export class Thermometer implements Device {
  readonly kind = "thermometer";
  private state: DeviceStatus = "stopped";
  private readonly sensor: RandomWalk;
  private ticker: NodeJS.Timeout | undefined;
  private rebootTimer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  /** The "back online" reply of a reboot, which no command is waiting for. */
  private rebootReply: Promise<void> | undefined;
  /** Until start() and after stop(): nothing may arm a timer, not even a reboot under way. */
  private halted = true;
  private ticks = 0;

  constructor(
    readonly name: string,
    private readonly settings: ThermometerSettings,
    private readonly chat: ChatService,
    private readonly devices: DeviceStore,
    private readonly notifier: Notifier,
  ) {
    this.sensor = new RandomWalk(settings.min, settings.max);
  }

  get room(): string {
    return thermometerRoom(this.name);
  }

  get status(): DeviceStatus {
    return this.state;
  }

  get online(): boolean {
    return this.state === "running";
  }

  get range() {
    return { min: this.settings.min, max: this.settings.max };
  }

  /** Starts the interval job: a first reading now, then one every intervalMs. */
  start(): void {
    this.halted = false;
    this.resume();
  }

  /**
   * Stops the job and any pending reboot; resolves once the reading and the reboot reply in progress
   * are stored. A reboot that is between its steps sees `halted` and arms nothing after this.
   */
  async stop(): Promise<void> {
    this.halted = true;
    clearTimeout(this.rebootTimer);
    this.rebootTimer = undefined;
    await this.pause();
    this.state = "stopped";
    await this.rebootReply;
  }

  private resume(): void {
    if (this.ticker || this.halted) return;
    this.setStatus("running");
    this.tick();
    this.ticker = setInterval(() => this.tick(), this.settings.intervalMs);
  }

  /** Stops taking readings (for a reboot or for good); resolves once the one in progress is stored. */
  private async pause(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    await this.reading;
  }

  private tick(): void {
    if (this.reading) return; // the store is slower than the interval: skip rather than pile up
    this.reading = this.takeReading()
      .catch((error) => log.error(`${this.name} reading failed:`, error))
      .finally(() => (this.reading = undefined));
  }

  private async takeReading(): Promise<void> {
    const reading = await this.devices.saveReading({
      device: this.name,
      value: this.sensor.next(),
      unit: UNIT,
      timestamp: new Date(),
    });
    this.notifier.toRoom(this.room, "thermometer:reading", reading);
    if (++this.ticks % TRIM_EVERY_TICKS === 0) await this.devices.trimReadings(this.name, this.settings.retention);
  }

  private setStatus(status: DeviceStatus): void {
    this.state = status;
    this.notifier.toEveryone("thermometer:status", { device: this.name, status });
  }

  // ── commands ───────────────────────────────────────────────────────────────

  async handleCommand(command: ChatMessage): Promise<void> {
    const person = command.sender;
    const word = parseDeviceCommand(command.message);
    switch (word) {
      case "subscribe":
        return this.subscribe(person);
      case "unsubscribe":
        return this.unsubscribe(person);
      case "reboot":
        return this.reboot(person);
      case "range":
        return this.reportRange(person);
      default:
        return this.reply(person, "help", helpText(this.name, command.message, word));
    }
  }

  private async subscribe(person: string): Promise<void> {
    await this.devices.subscribe(person, this.name);
    this.notifier.joinRoom(person, this.room);
    this.notifier.toUser(person, "thermometer:subscription", { device: this.name, subscribed: true });
    const every = (this.settings.intervalMs / 1000).toLocaleString("en", { maximumFractionDigits: 1 });
    await this.reply(person, "subscribe", `Subscribed to ${this.name}: a reading every ${every} s.`, {
      subscribed: true,
    });
  }

  private async unsubscribe(person: string): Promise<void> {
    await this.devices.unsubscribe(person, this.name);
    this.notifier.leaveRoom(person, this.room);
    this.notifier.toUser(person, "thermometer:subscription", { device: this.name, subscribed: false });
    await this.reply(person, "unsubscribe", `Unsubscribed from ${this.name}.`, { subscribed: false });
  }

  private async reboot(person: string): Promise<void> {
    if (this.state !== "running") {
      return this.reply(person, "reboot", `${this.name} is already rebooting.`, { status: this.state });
    }
    this.state = "rebooting"; // at once, so a second reboot command meanwhile is told so
    await this.pause();
    if (this.halted) return; // stopped meanwhile: the server is shutting down
    this.setStatus("rebooting");
    await this.reply(person, "reboot", `${this.name} is rebooting…`, { status: "rebooting" });
    if (this.halted) return;
    this.rebootTimer = setTimeout(() => {
      this.rebootTimer = undefined;
      this.resume();
      this.rebootReply = this.reply(person, "reboot", `${this.name} is back online.`, { status: "running" })
        .catch((error) => log.error(`${this.name} reboot reply failed:`, error))
        .finally(() => (this.rebootReply = undefined));
    }, this.settings.rebootMs);
  }

  private async reportRange(person: string): Promise<void> {
    const { min, max } = this.settings;
    const observed = await this.devices.stats(this.name, RANGE_WINDOW);
    const configured = `configured ${format(min)} to ${format(max)} ${UNIT}`;
    const text = observed
      ? `${this.name} range: ${configured}; last ${observed.count} readings: ` +
        `min ${format(observed.min)}, max ${format(observed.max)}, last ${format(observed.last)} ${UNIT}.`
      : `${this.name} range: ${configured}; no readings yet.`;
    await this.reply(person, "range", text, { configured: { min, max }, observed: observed ?? null, unit: UNIT });
  }

  private async reply(person: string, command: DeviceCommand, text: string, details: Record<string, unknown> = {}) {
    await this.chat.sendFromDevice(this.name, person, text, {
      type: "notification",
      metadata: { device: this.name, command, ...details },
    });
  }

  /** What the HTTP API reports about this device. */
  async describe(subscribed: boolean): Promise<DeviceSummary> {
    const [last] = await this.devices.readings(this.name, { limit: 1 });
    return { device: this.name, status: this.state, unit: UNIT, range: this.range, subscribed, last: last ?? null };
  }

  readings(options: { limit: number; since?: Date }): Promise<ReadingEvent[]> {
    return this.devices.readings(this.name, options);
  }
}

function format(value: number): string {
  return value.toFixed(1);
}

function helpText(device: string, sent: string, known: DeviceCommand | undefined): string {
  const intro = known === "help" ? "" : `Unknown command '${sent.trim()}'. `;
  return `${intro}${device} understands: subscribe, unsubscribe, reboot, range, help.`;
}
