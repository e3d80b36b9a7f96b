import type { Notifier } from "../../lib/chat/notifier";
import type { ChatMessage } from "../../lib/contract/payloads";
import type { ServerEvent, ServerEventPayload } from "../../lib/contract/events";
import type { ChatServer } from "./types";

/** How long a recipient's socket has to acknowledge a message before it counts as not delivered. */
export const DELIVERY_ACK_TIMEOUT_MS = 10_000;

export const userRoom = (username: string) => `user:${username}`;

/** One typed emit for every event the notifier sends (Socket.IO cannot infer the payload of a generic event). */
type Emitter = { emit<E extends ServerEvent>(event: E, payload: ServerEventPayload<E>): boolean };
const emitter = (target: unknown) => target as Emitter;

/**
 * Notifier over Socket.IO rooms. Every socket of a user is in `user:<name>`, and every question
 * (who is online, who acknowledged) goes to the adapter, so a cluster adapter makes it cluster-wide.
 */
export class SocketNotifier implements Notifier {
  constructor(private readonly io: ChatServer) {}

  async isOnline(username: string): Promise<boolean> {
    const sockets = await this.io.in(userRoom(username)).fetchSockets();
    return sockets.length > 0;
  }

  async onlineUsers(): Promise<Set<string>> {
    const sockets = await this.io.fetchSockets();
    return new Set(sockets.map((socket) => socket.data.username));
  }

  deliver(message: ChatMessage): Promise<boolean> {
    return new Promise((resolve) => {
      this.io
        .to(userRoom(message.destination))
        .timeout(DELIVERY_ACK_TIMEOUT_MS)
        .emit("message", message, (_timedOut: Error | null, acks: unknown[]) => resolve(acks.length > 0));
    });
  }

  toUser<E extends ServerEvent>(
    username: string,
    event: E,
    payload: ServerEventPayload<E>,
    options: { exceptSocket?: string } = {},
  ): void {
    if (this.nobodyElseHere(userRoom(username), options.exceptSocket)) return;
    const room = this.io.to(userRoom(username));
    emitter(options.exceptSocket ? room.except(options.exceptSocket) : room).emit(event, payload);
  }

  /**
   * Whether a room has no socket but `except` on this instance, and no other instance could have one. A broadcast
   * encodes its packet before it looks for sockets, and most messages' echo to the sender's other tabs (a person with
   * one tab) reached nobody: 3 % of the server's CPU under a send load. The cluster's notifier says other instances
   * may have sockets, so there every emit is broadcast.
   */
  protected nobodyElseHere(room: string, except: string | undefined): boolean {
    const sockets = this.io.of("/").adapter.rooms.get(room);
    return !sockets || (sockets.size === 1 && except !== undefined && sockets.has(except));
  }

  toEveryone<E extends ServerEvent>(event: E, payload: ServerEventPayload<E>): void {
    emitter(this.io).emit(event, payload);
  }

  toRoom<E extends ServerEvent>(
    room: string,
    event: E,
    payload: ServerEventPayload<E>,
    options: { exceptUser?: string } = {},
  ): void {
    const target = this.io.to(room);
    emitter(options.exceptUser ? target.except(userRoom(options.exceptUser)) : target).emit(event, payload);
  }

  joinRoom(username: string, room: string): void {
    this.io.in(userRoom(username)).socketsJoin(room);
  }

  leaveRoom(username: string, room: string): void {
    this.io.in(userRoom(username)).socketsLeave(room);
  }
}
