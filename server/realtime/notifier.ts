import type { Server } from "socket.io";
import type { Notifier } from "../../lib/chat";
import type { ChatMessage } from "../../lib/protocol";

/** How long a recipient's socket has to acknowledge a message before it counts as not delivered. */
export const DELIVERY_ACK_TIMEOUT_MS = 10_000;

export const userRoom = (username: string) => `user:${username}`;

/**
 * Notifier over Socket.IO rooms. Every socket of a user is in `user:<name>`, and every question
 * (who is online, who acknowledged) goes to the adapter, so a cluster adapter makes it cluster-wide.
 */
export class SocketNotifier implements Notifier {
  constructor(private readonly io: Server) {}

  async isOnline(username: string): Promise<boolean> {
    const sockets = await this.io.in(userRoom(username)).fetchSockets();
    return sockets.length > 0;
  }

  async onlineUsers(): Promise<Set<string>> {
    const sockets = await this.io.fetchSockets();
    return new Set(sockets.map((socket) => socket.data.username as string));
  }

  deliver(message: ChatMessage): Promise<boolean> {
    return new Promise((resolve) => {
      this.io
        .to(userRoom(message.destination))
        .timeout(DELIVERY_ACK_TIMEOUT_MS)
        .emit("message", message, (_timedOut: Error | null, acks: unknown[]) => resolve(acks.length > 0));
    });
  }

  toUser(username: string, event: string, payload: unknown, options: { exceptSocket?: string } = {}): void {
    const room = this.io.to(userRoom(username));
    (options.exceptSocket ? room.except(options.exceptSocket) : room).emit(event, payload);
  }

  toEveryone(event: string, payload: unknown): void {
    this.io.emit(event, payload);
  }

  toRoom(room: string, event: string, payload: unknown): void {
    this.io.to(room).emit(event, payload);
  }

  joinRoom(username: string, room: string): void {
    this.io.in(userRoom(username)).socketsJoin(room);
  }

  leaveRoom(username: string, room: string): void {
    this.io.in(userRoom(username)).socketsLeave(room);
  }
}
