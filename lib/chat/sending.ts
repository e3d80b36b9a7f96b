/**
 * Sending: every way a new message enters the chat. A person's message to a person, to a device (stored as a
 * command) or to a group (stored once, with a receipt per other member); a device's reply; a group's announcement
 * of a membership change. Each is validated, then stored before anyone hears of it (the sender's ack waits for the
 * store), then handed to delivery.
 */
import type { DeviceRegistry } from "../devices/registry";
import { ChatError } from "../errors";
import { isGroup } from "../contract/names";
import { parsePayload as parse } from "../contract/parse";
import type { ChatMessage } from "../contract/payloads";
import { sendMessageSchema } from "../contract/schemas";
import { type AccountStore, groupKey, type MessageStore, type NewMessage } from "../store";
import type { Delivery } from "./delivery";
import { type GroupAnnouncement, type GroupService, onlineAmong } from "./group-service";
import type { Notifier } from "./notifier";

/** A stored message, and whether its recipient (in a group: any other member) was connected. */
export interface Sent {
  message: ChatMessage;
  online: boolean;
}

export interface SendingDeps {
  messages: MessageStore;
  accounts: AccountStore;
  notifier: Notifier;
  devices: DeviceRegistry;
  groups: GroupService;
  delivery: Delivery;
}

export class Sending {
  constructor(private readonly deps: SendingDeps) {}

  /**
   * Sends a message from `sender` (always the authenticated user, never a payload field).
   * Resolves once the message is stored; `online` says whether the recipient was connected.
   * `originSocket` is the socket it came from, which learns the outcome from its ack, not an echo.
   */
  async send(sender: string, payload: unknown, originSocket: string | undefined): Promise<Sent> {
    const { destination, message: text, clientId } = parse(sendMessageSchema, payload);
    if (isGroup(destination)) return this.sendToGroup(sender, destination, text, clientId, originSocket);
    if (destination === sender) throw new ChatError(400, "you cannot send a message to yourself");

    const device = this.deps.devices.get(destination);
    if (!device && !(await this.deps.accounts.userExists(destination))) {
      throw new ChatError(404, `no user named '${destination}'`);
    }
    const { message, resent } = await this.deps.messages.save({
      sender,
      destination,
      message: text,
      type: device ? "command" : "chat",
      clientId,
    });
    // A client that lost the ack (a dropped connection), or sent through two doors at once, resends with the
    // same clientId: the store answered with the message stored first, whose delivery is under way or waiting.
    // The same clientId on another message is a client's mistake, not a resend: answering with the old message
    // would tell it that its new one was stored.
    if (resent) {
      if (message.destination !== destination || message.message !== text) throw reusedClientId(clientId);
      return { message, online: device ? true : await this.deps.notifier.isOnline(destination) };
    }
    if (device) {
      this.deps.delivery.echoToSender(message, originSocket);
      this.deps.delivery.toDevice(device, message);
      return { message, online: true };
    }
    const online = await this.deps.notifier.isOnline(destination);
    this.deps.delivery.echoToSender(message, originSocket);
    if (online) this.deps.delivery.toRecipient(message, "live delivery");
    return { message, online };
  }

  /**
   * A message to `#name` from one of its members: stored once with a receipt per other member, echoed to the
   * sender's tabs and broadcast once to the group's room (every socket of every member, on every instance). Members
   * acknowledge with `message:received`; those offline get it from their backlog, marked stored.
   */
  private async sendToGroup(
    sender: string,
    destination: string,
    text: string,
    clientId: string | undefined,
    originSocket: string | undefined,
  ): Promise<Sent> {
    const group = await this.deps.groups.forMember(sender, destination);
    const recipients = await this.deps.groups.recipients(group, sender);
    const { message, resent } = await this.deps.messages.save({
      sender,
      destination: groupKey(group),
      message: text,
      type: "chat",
      clientId,
      recipients,
      shownAs: `#${group.name}`,
    });
    if (resent && (message.destination !== destination || message.message !== text)) throw reusedClientId(clientId);
    if (!resent) {
      // Out first: whether anyone is online only shapes the sender's answer.
      this.deps.delivery.echoToSender(message, originSocket);
      this.deps.delivery.toGroup(group, message, sender);
    }
    return { message, online: (await onlineAmong(this.deps.notifier, recipients)).size > 0 };
  }

  /** A membership change as a notification in the group, delivered like any group message. */
  async announce({ group, actor, text, recipients, alsoTo }: GroupAnnouncement): Promise<void> {
    const message = await this.deps.messages.saveMessage({
      sender: actor,
      destination: groupKey(group),
      message: text,
      type: "notification",
      recipients,
      shownAs: `#${group.name}`,
    });
    this.deps.delivery.echoToSender(message, undefined);
    this.deps.delivery.toGroup(group, message, actor);
    if (alsoTo) this.deps.delivery.toTabsOf(alsoTo, message);
  }

  /** A device's reply, stored for the person and delivered like any direct message; resolves once it is stored. */
  async fromDevice(
    device: string,
    destination: string,
    text: string,
    extra: Pick<NewMessage, "type" | "metadata">,
  ): Promise<ChatMessage> {
    const message = await this.deps.messages.saveMessage({ sender: device, destination, message: text, ...extra });
    if (await this.deps.notifier.isOnline(destination))
      this.deps.delivery.toRecipient(message, "device reply delivery");
    return message;
  }
}

function reusedClientId(clientId: string | undefined): ChatError {
  return new ChatError(409, `clientId '${clientId}' was already used for another message`);
}
