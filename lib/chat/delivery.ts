/**
 * Delivery: getting a stored message to the sockets it is for, and recording that it got there. A direct message
 * goes to its recipient's tabs in the background (the sender's ack does not wait for it), and the first socket that
 * acknowledges it marks it delivered; a group message is one broadcast to the group's room, which each member's
 * sockets acknowledge with `message:received`; a command is handed to its device. Every mark turns into a tick for
 * the sender. Nothing reaches here before it is stored, so nothing delivered can still be lost.
 */
import type { Device } from "../devices/device";
import type { DeviceRegistry } from "../devices/registry";
import { parsePayload as parse } from "../contract/parse";
import type { ChatMessage, MessageStatusEvent } from "../contract/payloads";
import { receivedSchema } from "../contract/schemas";
import type { InFlight } from "../in-flight";
import { log } from "../log";
import type { GroupRow, MessageStore } from "../store";
import { groupRoom } from "./group-service";
import type { Notifier } from "./notifier";

export interface DeliveryDeps {
  messages: MessageStore;
  notifier: Notifier;
  devices: DeviceRegistry;
  /** Counts what runs in the background here, so shutdown waits for it (and the store stays open until it ends). */
  inFlight: InFlight;
  now: () => Date;
}

export class Delivery {
  constructor(private readonly deps: DeliveryDeps) {}

  /** The sender's other tabs show what was sent from this one; `originSocket` learns it from its ack instead. */
  echoToSender(message: ChatMessage, originSocket: string | undefined): void {
    this.deps.notifier.toUser(message.sender, "message", message, { exceptSocket: originSocket });
  }

  /** To the recipient's tabs, in the background; the first socket's ack marks it delivered. */
  toRecipient(message: ChatMessage, what: string): void {
    this.inBackground(this.deliverLive(message), what);
  }

  /** One broadcast to every socket of every member but `except` (on every instance); members ack it themselves. */
  toGroup(group: GroupRow, message: ChatMessage, except: string): void {
    this.deps.notifier.toRoom(groupRoom(group), "message", message, { exceptUser: except });
  }

  /** To one person's tabs, not waiting for an ack: someone just removed from a group still sees why. */
  toTabsOf(username: string, message: ChatMessage): void {
    this.deps.notifier.toUser(username, "message", message);
  }

  /** A command to its device, in the background: its replies come back as messages of their own. */
  toDevice(device: Device, command: ChatMessage): void {
    this.inBackground(device.handleCommand(command), `${device.name} command`);
  }

  /** Records that `recipient` received these messages and tells each sender, once per message and recipient. */
  async acknowledgeDelivered(recipient: string, ids: string[]): Promise<void> {
    const delivered = await this.deps.messages.markDelivered(recipient, ids, this.deps.now());
    for (const { id, sender, group } of delivered)
      this.tellSender(sender, { id, status: "delivered", ...(group ? { by: recipient } : {}) });
  }

  /** `message:received`: a socket of `username` has these group messages (from the room broadcast). */
  async received(username: string, payload: unknown): Promise<void> {
    const { ids } = parse(receivedSchema, payload);
    await this.acknowledgeDelivered(username, ids);
  }

  /** A tick for the sender's tabs; a device sends messages too, but has no tabs to tell. */
  tellSender(sender: string, status: MessageStatusEvent): void {
    if (!this.deps.devices.get(sender)) this.deps.notifier.toUser(sender, "message:status", status);
  }

  private async deliverLive(message: ChatMessage): Promise<void> {
    if (await this.deps.notifier.deliver(message)) await this.acknowledgeDelivered(message.destination, [message.id]);
  }

  /** Work the caller does not wait for, counted so shutdown waits for it. */
  private inBackground(work: Promise<unknown>, what: string): void {
    this.deps.inFlight.track(work).catch((error) => log.error(`${what} failed:`, error));
  }
}
