/**
 * How the domain reaches people who are connected, without knowing about Socket.IO:
 * server/realtime implements it over rooms and adapter queries, so with a cluster adapter every
 * question and every emit spans all instances.
 */
import type { ChatMessage } from "../contract/payloads";
import type { ServerEvent, ServerEventPayload } from "../contract/events";

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
  /** Emits an event to every socket of one user (all their tabs), optionally but one. */
  toUser<E extends ServerEvent>(
    username: string,
    event: E,
    payload: ServerEventPayload<E>,
    options?: { exceptSocket?: string },
  ): void;
  /** Emits an event to everyone connected. */
  toEveryone<E extends ServerEvent>(event: E, payload: ServerEventPayload<E>): void;
  /**
   * Emits an event to every socket in a named room (a device's subscribers, a group's members), optionally but
   * one person's: one broadcast, carried to every instance by the adapter.
   */
  toRoom<E extends ServerEvent>(
    room: string,
    event: E,
    payload: ServerEventPayload<E>,
    options?: { exceptUser?: string },
  ): void;
  /** Puts every current socket of a user into a room, or takes them out. */
  joinRoom(username: string, room: string): void;
  leaveRoom(username: string, room: string): void;
}
