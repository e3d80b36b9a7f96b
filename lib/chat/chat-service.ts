/**
 * ChatService: the one code path for a message, whether it comes from a socket, the HTTP API or
 * the terminal client. It validates, stores (before anything is acknowledged), and hands the message
 * to the Notifier for live delivery; acknowledgements flow back here to be recorded.
 */
import { DeviceRegistry } from "../devices/registry";
import { ChatError } from "../errors";
import {
  DEFAULT_GROUP_MAX_MEMBERS,
  type GroupAnnouncement,
  groupRoom,
  GroupService,
  onlineAmong,
  type GroupSettings,
} from "./group-service";
import type { Notifier } from "./notifier";
import {
  CHECK_PAGE_SIZE,
  checkSchema,
  historyQuerySchema,
  markReadSchema,
  receivedSchema,
  sendMessageSchema,
  typingSchema,
} from "../contract/schemas";
import { isGroup } from "../contract/names";
import { parsePayload as parse } from "../contract/parse";
import type {
  ChatMessage,
  CheckPage,
  ConversationSummary,
  MessageStatusEvent,
  ReceiptDetail,
  UserSummary,
} from "../contract/payloads";
import { InFlight } from "../in-flight";
import { log } from "../log";
import { PresenceAnnouncer } from "./presence";
import { type AccountStore, groupKey, type GroupStore, type MessageStore, type NewMessage } from "../store";

export type { Notifier } from "./notifier";

export const BACKLOG_BATCH_SIZE = 500;

export interface ChatServiceOptions {
  now?: () => Date;
  /** Counts live deliveries, their delivery marks and device commands (replies included), so shutdown waits. */
  inFlight?: InFlight;
  /** The devices a message may go to (createDevices fills it); none without it. */
  devices?: DeviceRegistry;
  /** Group limits (GROUP_MAX_MEMBERS). */
  groups?: Partial<GroupSettings>;
}

export class ChatService {
  private readonly devices: DeviceRegistry;
  private readonly presence: PresenceAnnouncer;
  private readonly now: () => Date;
  private readonly inFlight: InFlight;
  private readonly groupService: GroupService | undefined;

  constructor(
    private readonly stores: { messages: MessageStore; accounts: AccountStore; groups?: GroupStore },
    private readonly notifier: Notifier,
    options: ChatServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.inFlight = options.inFlight ?? new InFlight();
    this.devices = options.devices ?? new DeviceRegistry();
    this.presence = new PresenceAnnouncer((events) => this.notifier.toEveryone("presence", events));
    if (stores.groups)
      this.groupService = new GroupService({
        groups: stores.groups,
        accounts: stores.accounts,
        notifier,
        isDeviceName: (name) => this.devices.isDeviceName(name),
        announce: (announcement) => this.announce(announcement),
        now: this.now,
        settings: { maxMembers: options.groups?.maxMembers ?? DEFAULT_GROUP_MAX_MEMBERS },
      });
  }

  /** Groups: creating, renaming, members (route handlers and the socket layer reach them here). */
  get groups(): GroupService {
    if (!this.groupService) throw new ChatError(503, "groups are not available on this server");
    return this.groupService;
  }

  // ── sending ────────────────────────────────────────────────────────────────

  /**
   * Sends a message from `sender` (always the authenticated user, never a payload field).
   * Resolves once the message is stored; `online` says whether the recipient was connected.
   * `originSocket` is the socket it came from, which learns the outcome from its ack, not an echo.
   */
  async send(
    sender: string,
    payload: unknown,
    originSocket?: string,
  ): Promise<{ message: ChatMessage; online: boolean }> {
    const { destination, message: text, clientId } = parse(sendMessageSchema, payload);
    if (isGroup(destination)) return this.sendToGroup(sender, destination, text, clientId, originSocket);
    if (destination === sender) throw new ChatError(400, "you cannot send a message to yourself");

    const device = this.devices.get(destination);
    if (!device && !(await this.stores.accounts.userExists(destination))) {
      throw new ChatError(404, `no user named '${destination}'`);
    }
    const { message, resent } = await this.stores.messages.save({
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
      if (message.destination !== destination || message.message !== text)
        throw new ChatError(409, `clientId '${clientId}' was already used for another message`);
      return { message, online: device ? true : await this.notifier.isOnline(destination) };
    }
    if (device) {
      this.echoToSender(message, originSocket);
      this.runInBackground(device.handleCommand(message), `${destination} command`);
      return { message, online: true };
    }
    const online = await this.notifier.isOnline(destination);
    this.echoToSender(message, originSocket);
    if (online) this.runInBackground(this.deliverLive(message), "live delivery");
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
  ): Promise<{ message: ChatMessage; online: boolean }> {
    const group = await this.groups.forMember(sender, destination);
    const recipients = await this.groups.recipients(group, sender);
    const { message, resent } = await this.stores.messages.save({
      sender,
      destination: groupKey(group),
      message: text,
      type: "chat",
      clientId,
      recipients,
      shownAs: `#${group.name}`,
    });
    if (resent && (message.destination !== destination || message.message !== text))
      throw new ChatError(409, `clientId '${clientId}' was already used for another message`);
    if (!resent) {
      // Out first: whether anyone is online only shapes the sender's answer.
      this.echoToSender(message, originSocket);
      this.notifier.toRoom(groupRoom(group), "message", message, { exceptUser: sender });
    }
    return { message, online: (await onlineAmong(this.notifier, recipients)).size > 0 };
  }

  /** A membership change as a notification in the group, delivered like any group message. */
  private async announce({ group, actor, text, recipients, alsoTo }: GroupAnnouncement): Promise<void> {
    const message = await this.stores.messages.saveMessage({
      sender: actor,
      destination: groupKey(group),
      message: text,
      type: "notification",
      recipients,
      shownAs: `#${group.name}`,
    });
    this.echoToSender(message, undefined);
    this.notifier.toRoom(groupRoom(group), "message", message, { exceptUser: actor });
    if (alsoTo) this.notifier.toUser(alsoTo, "message", message);
  }

  /** A device's reply, stored for the person and delivered like any DM; resolves once it is stored. */
  async sendFromDevice(
    device: string,
    destination: string,
    text: string,
    extra: Pick<NewMessage, "type" | "metadata">,
  ) {
    const message = await this.stores.messages.saveMessage({ sender: device, destination, message: text, ...extra });
    if (await this.notifier.isOnline(destination))
      this.runInBackground(this.deliverLive(message), "device reply delivery");
    return message;
  }

  /** The sender's other tabs show what was sent from this one. */
  private echoToSender(message: ChatMessage, originSocket: string | undefined): void {
    this.notifier.toUser(message.sender, "message", message, { exceptSocket: originSocket });
  }

  private async deliverLive(message: ChatMessage): Promise<void> {
    if (await this.notifier.deliver(message)) await this.acknowledgeDelivered(message.destination, [message.id]);
  }

  /** Work the caller does not wait for, counted so shutdown waits for it (and the store stays open until it ends). */
  private runInBackground(work: Promise<unknown>, what: string): void {
    this.inFlight.track(work).catch((error) => log.error(`${what} failed:`, error));
  }

  // ── receiving ──────────────────────────────────────────────────────────────

  /** Records that `recipient` received these messages and tells each sender, once per message and recipient. */
  async acknowledgeDelivered(recipient: string, ids: string[]): Promise<void> {
    const delivered = await this.stores.messages.markDelivered(recipient, ids, this.now());
    for (const { id, sender, group } of delivered)
      this.notifyStatus(sender, { id, status: "delivered", ...(group ? { by: recipient } : {}) });
  }

  /** `message:received`: a socket of `username` has these group messages (from the room broadcast). */
  async received(username: string, payload: unknown): Promise<void> {
    const { ids } = parse(receivedSchema, payload);
    await this.acknowledgeDelivered(username, ids);
  }

  /** Pages through everything waiting for `username`, oldest first, for delivery on connect. */
  async *backlog(username: string): AsyncGenerator<ChatMessage[]> {
    let after: ChatMessage | undefined;
    for (;;) {
      const batch = await this.stores.messages.undelivered(username, { after, limit: BACKLOG_BATCH_SIZE });
      if (batch.length > 0) yield batch;
      if (batch.length < BACKLOG_BATCH_SIZE) return;
      after = batch[batch.length - 1];
    }
  }

  /**
   * `!check`: one page of what `username` has not received yet, oldest first, now marked delivered,
   * with the cursor of the next page. Pages keep one answer's size and time bounded: 5,000 waiting
   * messages in one answer were 21 MB and held the process for seconds.
   */
  async check(username: string, payload?: unknown): Promise<CheckPage> {
    const { after } = parse(checkSchema, payload);
    const messages = await this.stores.messages.undelivered(username, {
      // The store places `after` by its id and timestamp only, which is all a cursor carries.
      after: after ? (fromCursor(after) as ChatMessage) : undefined,
      limit: CHECK_PAGE_SIZE,
    });
    await this.acknowledgeDelivered(
      username,
      messages.map((m) => m.id),
    );
    const last = messages.at(-1);
    return {
      messages: messages.map((m) => ({ ...m, stored: true })),
      next: last && messages.length === CHECK_PAGE_SIZE ? toCursor(last) : null,
    };
  }

  /**
   * Opening a conversation: everything the peer sent `reader` (or, in a group, everything `reader` received there)
   * is now read; the senders' ticks update.
   */
  async markRead(reader: string, payload: unknown): Promise<string[]> {
    const { with: peer } = parse(markReadSchema, payload);
    const group = isGroup(peer) ? await this.groups.forMember(reader, peer) : undefined;
    const changes = await this.stores.messages.markConversationRead(reader, group ? groupKey(group) : peer, this.now());
    for (const { id, sender } of changes)
      this.notifyStatus(sender, { id, status: "read", ...(group ? { by: reader } : {}) });
    return changes.map((change) => change.id);
  }

  /** Someone typing to a person, or in a group they are in (elsewhere it is dropped: typing has no answer). */
  async typing(username: string, payload: unknown): Promise<void> {
    const parsed = typingSchema.safeParse(payload);
    if (!parsed.success || parsed.data.destination === username) return;
    const { destination, typing } = parsed.data;
    if (!isGroup(destination)) {
      this.notifier.toUser(destination, "typing", { username, typing });
      return;
    }
    const group = await this.groups.forMember(username, destination).catch(() => undefined);
    if (group)
      this.notifier.toRoom(
        groupRoom(group),
        "typing",
        { username, typing, group: `#${group.name}` },
        { exceptUser: username },
      );
  }

  private notifyStatus(sender: string, status: MessageStatusEvent): void {
    if (!this.devices.get(sender)) this.notifier.toUser(sender, "message:status", status);
  }

  // ── reading ────────────────────────────────────────────────────────────────

  /** A page of a conversation; in a group, what was sent while `username` was a member (members only). */
  async history(username: string, query: unknown): Promise<ChatMessage[]> {
    const { with: peer, before, limit } = parse(historyQuerySchema, query);
    const conversation = isGroup(peer) ? groupKey(await this.groups.forMember(username, peer)) : peer;
    const page = await this.stores.messages.conversation(username, conversation, { before, limit });
    if (!page) throw new ChatError(400, "before must be the id of a message in this conversation");
    return page;
  }

  /** Every conversation, people and the groups `username` is in now, newest first. */
  async conversations(username: string): Promise<ConversationSummary[]> {
    const groups = this.groupService ? await this.groupService.keysFor(username) : new Set<string>();
    return this.stores.messages.conversations(username, groups);
  }

  /** Who has one of your messages and who read it; the same 404 for anyone else's message as for none. */
  async receipts(username: string, messageId: string): Promise<ReceiptDetail[]> {
    const found = await this.stores.messages.receipts(messageId);
    if (!found || found.message.sender !== username) throw new ChatError(404, "no such message of yours");
    return found.receipts
      .map((receipt) => ({
        username: receipt.recipient,
        deliveredAt: receipt.deliveredAt?.toISOString() ?? null,
        readAt: receipt.readAt?.toISOString() ?? null,
      }))
      .sort((a, b) => (a.username < b.username ? -1 : 1));
  }

  async listUsers(): Promise<UserSummary[]> {
    const [users, online] = await Promise.all([this.stores.accounts.listUsers(), this.notifier.onlineUsers()]);
    const devices: UserSummary[] = this.devices.all.map((device) => ({
      username: device.name,
      online: device.online,
      lastSeen: null,
      service: device.kind,
    }));
    const people = users.map((user) => ({
      username: user.username,
      online: online.has(user.username),
      lastSeen: user.lastSeen?.toISOString() ?? null,
    }));
    return [...devices, ...people];
  }

  // ── presence ───────────────────────────────────────────────────────────────

  /** Called when a socket of `username` connects or disconnects. */
  async presenceChanged(username: string): Promise<void> {
    const online = await this.notifier.isOnline(username);
    const lastSeen = this.now();
    await this.stores.accounts.touchLastSeen(username, lastSeen);
    this.presence.changed({ username, online, lastSeen: lastSeen.toISOString() });
  }
}

/** A check cursor names the last message of a page by its place in the (timestamp, id) order. */
function toCursor(message: Pick<ChatMessage, "id" | "timestamp">): string {
  return `${Date.parse(message.timestamp)}.${message.id}`;
}

function fromCursor(cursor: string): Pick<ChatMessage, "id" | "timestamp"> {
  const dot = cursor.indexOf(".");
  const timestamp = new Date(Number(cursor.slice(0, dot)));
  if (Number.isNaN(timestamp.getTime())) throw new ChatError(400, "after must be the next cursor of an earlier check");
  return { timestamp: timestamp.toISOString(), id: cursor.slice(dot + 1) };
}
