/**
 * ChatService: the one code path for a message, whether it comes from a socket, the HTTP API or
 * the terminal client. It validates, stores (before anything is acknowledged), and hands the message
 * to the Notifier for live delivery; acknowledgements flow back here to be recorded.
 */
import {
  hashPassword,
  hashSessionToken,
  loginLockMs,
  newSessionToken,
  SESSION_LIFETIME_MS,
  verifyPassword,
} from "./auth";
import { ChatError } from "./errors";
import {
  historyQuerySchema,
  loginSchema,
  markReadSchema,
  parsePayload as parse,
  sendMessageSchema,
  type ChatMessage,
  type MessageStatusEvent,
  type UserSummary,
} from "./protocol";
import { PresenceAnnouncer } from "./presence";
import type { MessageStore, NewMessage, StoredUser } from "./store";

/** How the chat reaches people who are connected. server/realtime implements it with Socket.IO. */
export interface Notifier {
  /** Whether the user has at least one connected socket (on any instance). */
  isOnline(username: string): Promise<boolean>;
  /** Usernames with at least one connected socket. */
  onlineUsers(): Promise<Set<string>>;
  /**
   * Emits `message` to every socket of the destination and resolves with whether any of them
   * acknowledged it in time.
   */
  deliver(message: ChatMessage): Promise<boolean>;
  /** Emits an event to every socket of one user (all their tabs). */
  toUser(username: string, event: string, payload: unknown, options?: { exceptSocket?: string }): void;
  /** Emits an event to everyone connected. */
  toEveryone(event: string, payload: unknown): void;
  /** Emits an event to every socket in a named room (a device's subscribers). */
  toRoom(room: string, event: string, payload: unknown): void;
  /** Puts every current socket of a user into a room, or takes them out. */
  joinRoom(username: string, room: string): void;
  leaveRoom(username: string, room: string): void;
}

/** A service account (a device) that answers messages sent to it instead of storing them for a person. */
export interface ServiceAccount {
  readonly username: string;
  readonly kind: "thermometer";
  /** Whether the service is up; shown as its presence. */
  readonly online: boolean;
  /** Called after the command message is stored; replies go back through ChatService.sendFromService. */
  handleCommand(command: ChatMessage): Promise<void>;
}

export interface Session {
  username: string;
  token: string;
  created: boolean;
}

export const BACKLOG_BATCH_SIZE = 500;

export class ChatService {
  private readonly services = new Map<string, ServiceAccount>();
  private readonly presence: PresenceAnnouncer;

  constructor(
    private readonly store: MessageStore,
    private readonly notifier: Notifier,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.presence = new PresenceAnnouncer((events) => this.notifier.toEveryone("presence", events));
  }

  registerService(service: ServiceAccount): void {
    this.services.set(service.username, service);
  }

  // ── accounts ───────────────────────────────────────────────────────────────

  /** Logs in, claiming the username with this password if nobody has it yet. */
  async login(payload: unknown): Promise<Session> {
    const { username, password } = parse(loginSchema, payload);
    if (this.isReservedName(username))
      throw new ChatError(403, `'${username}' is a service name and cannot be claimed`);

    let user = await this.store.findUser(username);
    let created = false;
    if (!user) {
      const claimed = await this.store.createUser(username, await hashPassword(password));
      created = claimed !== undefined;
      user = claimed ?? (await this.store.findUser(username)); // lost a race to claim it: check against the winner
    }
    if (!user) throw new ChatError(401, "wrong username or password");
    if (!created) await this.checkPassword(user, password);
    const token = newSessionToken();
    await this.store.createSession(
      user.id,
      hashSessionToken(token),
      new Date(this.now().getTime() + SESSION_LIFETIME_MS),
    );
    return { username, token, created };
  }

  /** Verifies a login against a claimed name, counting wrong passwords and refusing while it is locked. */
  private async checkPassword(user: StoredUser, password: string): Promise<void> {
    const now = this.now();
    if (user.lockedUntil && user.lockedUntil > now) {
      const seconds = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
      throw new ChatError(429, `too many wrong passwords for '${user.username}': try again in ${seconds} s`);
    }
    if (await verifyPassword(password, user.passwordHash)) {
      if (user.failedLogins > 0) await this.store.clearLoginFailures(user.id);
      return;
    }
    const lockMs = loginLockMs(await this.store.recordLoginFailure(user.id));
    if (lockMs > 0) await this.store.lockUser(user.id, new Date(now.getTime() + lockMs));
    throw new ChatError(401, "wrong username or password");
  }

  /** The username a session token belongs to, or undefined. */
  async authenticate(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    return this.store.sessionUser(hashSessionToken(token), this.now());
  }

  async logout(token: string): Promise<void> {
    await this.store.deleteSession(hashSessionToken(token));
  }

  private isReservedName(username: string): boolean {
    const lower = username.toLowerCase();
    return [...this.services.keys()].some((name) => name.toLowerCase() === lower);
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
    if (destination === sender) throw new ChatError(400, "you cannot send a message to yourself");

    const service = this.services.get(destination);
    if (!service && !(await this.store.userExists(destination))) {
      throw new ChatError(404, `no user named '${destination}'`);
    }
    // A client that lost the ack (a dropped connection) resends with the same clientId: answer with
    // what is stored instead of storing it twice; its delivery is already under way or waiting.
    const resent = clientId ? await this.store.findByClientId(sender, clientId) : undefined;
    if (resent) return { message: resent, online: service ? true : await this.notifier.isOnline(destination) };

    const message = await this.store.saveMessage({
      sender,
      destination,
      message: text,
      type: service ? "command" : "chat",
      clientId,
    });
    if (service) {
      this.echoToSender(message, originSocket);
      this.runInBackground(service.handleCommand(message), `${destination} command`);
      return { message, online: true };
    }
    const online = await this.notifier.isOnline(destination);
    this.echoToSender(message, originSocket);
    if (online) this.runInBackground(this.deliverLive(message), "live delivery");
    return { message, online };
  }

  /** A device's reply, stored for the person and delivered like any DM; resolves once it is stored. */
  async sendFromService(
    service: string,
    destination: string,
    text: string,
    extra: Pick<NewMessage, "type" | "metadata">,
  ) {
    const message = await this.store.saveMessage({ sender: service, destination, message: text, ...extra });
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

  private runInBackground(work: Promise<unknown>, what: string): void {
    work.catch((error) => console.error(`${what} failed:`, error));
  }

  // ── receiving ──────────────────────────────────────────────────────────────

  /** Records that `recipient` received these messages and tells each sender, once per message. */
  async acknowledgeDelivered(recipient: string, ids: string[]): Promise<void> {
    const delivered = await this.store.markDelivered(recipient, ids, this.now());
    for (const { id, sender } of delivered) this.notifyStatus(sender, { id, status: "delivered" });
  }

  /** Pages through everything waiting for `username`, oldest first, for delivery on connect. */
  async *backlog(username: string): AsyncGenerator<ChatMessage[]> {
    let after: ChatMessage | undefined;
    for (;;) {
      const batch = await this.store.undelivered(username, { after, limit: BACKLOG_BATCH_SIZE });
      if (batch.length > 0) yield batch;
      if (batch.length < BACKLOG_BATCH_SIZE) return;
      after = batch[batch.length - 1];
    }
  }

  /** `!check`: every message `username` has not received yet, oldest first, then marked delivered. */
  async check(username: string): Promise<ChatMessage[]> {
    const messages: ChatMessage[] = [];
    for await (const batch of this.backlog(username)) messages.push(...batch);
    await this.acknowledgeDelivered(
      username,
      messages.map((m) => m.id),
    );
    return messages.map((m) => ({ ...m, stored: true }));
  }

  /** Opening a conversation: everything the peer sent `reader` is now read; the peer's ticks update. */
  async markRead(reader: string, payload: unknown): Promise<string[]> {
    const { with: peer } = parse(markReadSchema, payload);
    const ids = await this.store.markRead(reader, peer, this.now());
    for (const id of ids) this.notifyStatus(peer, { id, status: "read" });
    return ids;
  }

  private notifyStatus(sender: string, status: MessageStatusEvent): void {
    if (!this.services.has(sender)) this.notifier.toUser(sender, "message:status", status);
  }

  // ── reading ────────────────────────────────────────────────────────────────

  async history(username: string, query: unknown): Promise<ChatMessage[]> {
    const { with: peer, before, limit } = parse(historyQuerySchema, query);
    const page = await this.store.conversation(username, peer, { before, limit });
    if (!page) throw new ChatError(400, "before must be the id of a message in this conversation");
    return page;
  }

  async conversations(username: string) {
    return this.store.conversations(username);
  }

  async listUsers(): Promise<UserSummary[]> {
    const [users, online] = await Promise.all([this.store.listUsers(), this.notifier.onlineUsers()]);
    const services: UserSummary[] = [...this.services.values()].map((service) => ({
      username: service.username,
      online: service.online,
      lastSeen: null,
      service: service.kind,
    }));
    const people = users.map((user) => ({
      username: user.username,
      online: online.has(user.username),
      lastSeen: user.lastSeen?.toISOString() ?? null,
    }));
    return [...services, ...people];
  }

  // ── presence ───────────────────────────────────────────────────────────────

  /** Called when a socket of `username` connects or disconnects. */
  async presenceChanged(username: string): Promise<void> {
    const online = await this.notifier.isOnline(username);
    const lastSeen = this.now();
    await this.store.touchLastSeen(username, lastSeen);
    this.presence.changed({ username, online, lastSeen: lastSeen.toISOString() });
  }
}
