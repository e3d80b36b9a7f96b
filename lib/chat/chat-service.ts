/**
 * ChatService: the one door to the chat. The socket handlers and the route handlers (and so the terminal client,
 * which uses a socket) call only this, whichever way a request came in, and it hands each request to the part
 * whose job it is:
 *
 *   sending.ts        new messages: to a person, a device, a group; device replies; group announcements
 *   delivery.ts       stored messages to sockets, delivery marks and the senders' ticks
 *   backlog.ts        what waited while someone was away: on connect, and `!check`
 *   read-marks.ts     opening a conversation marks it read
 *   lookups.ts        history, conversations, receipts, the user list
 *   presence.ts       who is online, who is typing
 *   group-service.ts  the rules of groups (reached as `chat.groups`)
 *
 * What every door shares is done here, once: a send, a check and a read receipt each take from the person's
 * allowance (lib/limits/person-limits.ts) before anything else, whether they came through a socket or the HTTP API.
 * A new kind of request about a message (an edit, a deletion, a reaction) is a part of its own beside these (say
 * changes.ts): stored first, then handed to delivery like a message, and reached through a method here, which
 * takes from the person's allowance as a send does.
 */
import { DeviceRegistry } from "../devices/registry";
import type { CheckPage, ChatMessage, ConversationSummary, ReceiptDetail, UserSummary } from "../contract/payloads";
import { InFlight } from "../in-flight";
import {
  type ConnectionAllowance,
  DEFAULT_PERSON_RATES,
  type LimitedAction,
  PersonLimits,
  type PersonRates,
} from "../limits/person-limits";
import type { AccountStore, GroupStore, MessageStore, NewMessage } from "../store";
import { Backlog } from "./backlog";
import { Delivery } from "./delivery";
import { DEFAULT_GROUP_MAX_MEMBERS, GroupService, type GroupSettings } from "./group-service";
import { Lookups } from "./lookups";
import type { Notifier } from "./notifier";
import { Presence } from "./presence";
import { ReadMarks } from "./read-marks";
import { type Sent, Sending } from "./sending";

export interface ChatServiceOptions {
  now?: () => Date;
  /** Counts live deliveries, their delivery marks and device commands (replies included), so shutdown waits. */
  inFlight?: InFlight;
  /** The devices a message may go to (createDevices fills it); none without it. */
  devices?: DeviceRegistry;
  /** Group limits (GROUP_MAX_MEMBERS). */
  groups?: Partial<GroupSettings>;
  /** What one person may send, check and mark read per second (SEND_/CHECK_/READ_LIMIT_PER_USER). */
  allowances?: PersonRates;
}

/**
 * A request's payload as a door hands it over: as it came (a socket event's), or a function that reads it (an HTTP
 * body), called only once the person's allowance let the request through, so a refused request reads nothing.
 */
export type Incoming = unknown | (() => Promise<unknown>);

/** Where a send came from, as far as the chat cares. */
export interface SendDoor {
  /** The socket it came from: that socket learns the outcome from its ack, so it gets no echo. */
  socketId?: string;
  /** That connection's own allowance, taken together with the person's (a socket's per-connection sends). */
  allowance?: ConnectionAllowance;
}

export class ChatService {
  /** Groups: creating, renaming, members (route handlers and the socket layer reach them here). */
  readonly groups: GroupService;
  private readonly allowances: PersonLimits;
  private readonly sending: Sending;
  private readonly delivery: Delivery;
  private readonly backlogs: Backlog;
  private readonly readMarks: ReadMarks;
  private readonly lookups: Lookups;
  private readonly presence: Presence;

  constructor(
    { messages, accounts, groups }: { messages: MessageStore; accounts: AccountStore; groups: GroupStore },
    notifier: Notifier,
    options: ChatServiceOptions = {},
  ) {
    const now = options.now ?? (() => new Date());
    const devices = options.devices ?? new DeviceRegistry();
    const inFlight = options.inFlight ?? new InFlight();
    this.allowances = new PersonLimits(options.allowances ?? DEFAULT_PERSON_RATES);
    this.delivery = new Delivery({ messages, notifier, devices, inFlight, now });
    this.groups = new GroupService({
      groups,
      accounts,
      notifier,
      isDeviceName: (name) => devices.isDeviceName(name),
      announce: (announcement) => this.sending.announce(announcement),
      now,
      settings: { maxMembers: options.groups?.maxMembers ?? DEFAULT_GROUP_MAX_MEMBERS },
    });
    const parts = { messages, accounts, notifier, devices, groups: this.groups, delivery: this.delivery, now };
    this.sending = new Sending(parts);
    this.backlogs = new Backlog(parts);
    this.readMarks = new ReadMarks(parts);
    this.lookups = new Lookups(parts);
    this.presence = new Presence(parts);
  }

  // ── sending ────────────────────────────────────────────────────────────────

  /** Sends a message from `sender` (always the authenticated user, never a payload field); resolves once stored. */
  send(sender: string, payload: Incoming, from: SendDoor = {}): Promise<Sent> {
    return this.allowed("send", sender, payload, from.allowance, (input) =>
      this.sending.send(sender, input, from.socketId),
    );
  }

  /** A device's reply, stored for the person and delivered like any direct message; resolves once it is stored. */
  sendFromDevice(
    device: string,
    destination: string,
    text: string,
    extra: Pick<NewMessage, "type" | "metadata">,
  ): Promise<ChatMessage> {
    return this.sending.fromDevice(device, destination, text, extra);
  }

  // ── receiving ──────────────────────────────────────────────────────────────

  /** Records that `recipient` received these messages (a socket acked them) and tells each sender. */
  acknowledgeDelivered(recipient: string, ids: string[]): Promise<void> {
    return this.delivery.acknowledgeDelivered(recipient, ids);
  }

  /** `message:received`: a socket of `username` has these group messages (from the room broadcast). */
  received(username: string, payload: unknown): Promise<void> {
    return this.delivery.received(username, payload);
  }

  /** Pages through everything waiting for `username`, oldest first, for delivery on connect. */
  backlog(username: string): AsyncGenerator<ChatMessage[]> {
    return this.backlogs.pages(username);
  }

  /** `!check`: one page of what `username` has not received yet, now marked delivered, and the next cursor. */
  check(username: string, payload?: Incoming): Promise<CheckPage> {
    return this.allowed("check", username, payload, undefined, (input) => this.backlogs.check(username, input));
  }

  /** Opening a conversation: what `reader` got there is now read, and the senders' ticks turn. */
  markRead(reader: string, payload: Incoming): Promise<string[]> {
    return this.allowed("read", reader, payload, undefined, (input) => this.readMarks.markRead(reader, input));
  }

  // ── looking ────────────────────────────────────────────────────────────────

  /** A page of a conversation `{with, before?, limit?}`; in a group, members only. */
  history(username: string, query: unknown): Promise<ChatMessage[]> {
    return this.lookups.history(username, query);
  }

  /** Every conversation of `username`, newest first. */
  conversations(username: string): Promise<ConversationSummary[]> {
    return this.lookups.conversations(username);
  }

  /** Who has one of your messages and who read it. */
  receipts(username: string, messageId: string): Promise<ReceiptDetail[]> {
    return this.lookups.receipts(username, messageId);
  }

  /** The devices and the people, with their presence. */
  listUsers(): Promise<UserSummary[]> {
    return this.lookups.listUsers();
  }

  // ── presence ───────────────────────────────────────────────────────────────

  /** Called when a socket of `username` connects or disconnects. */
  presenceChanged(username: string): Promise<void> {
    return this.presence.changed(username);
  }

  /** Someone typing to a person or in a group (dropped, not refused, when it goes nowhere). */
  typing(username: string, payload: unknown): Promise<void> {
    return this.presence.typing(username, payload);
  }

  // ── allowances ─────────────────────────────────────────────────────────────

  /**
   * Takes one `action` from the person's allowance (and the connection's, when the door gave one), refusing with
   * 429 beyond it, and only then reads the payload, if it is still to be read, and does the work.
   */
  private async allowed<T>(
    action: LimitedAction,
    username: string,
    payload: Incoming,
    connection: ConnectionAllowance | undefined,
    work: (payload: unknown) => Promise<T>,
  ): Promise<T> {
    this.allowances.take(action, username, connection);
    return work(typeof payload === "function" ? await payload() : payload);
  }
}
