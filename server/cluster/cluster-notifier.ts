import { SocketNotifier, userRoom } from "../realtime/notifier";
import type { ChatServer } from "../realtime/types";
import type { PresenceRegistry } from "./presence-registry";

/**
 * The Notifier of an instance in a cluster: rooms and emits as on one instance (the Redis adapter carries them to
 * every instance), but "is Bob online" and "who is online" come from the presence registry rather than from
 * `fetchSockets`. An adapter query waits for every instance Redis still counts as subscribed and fails after its
 * `requestsTimeout` if one does not answer, and it loses the answers it did get; the registry is one Redis round
 * trip, and it forgets a crashed instance's people after a bounded time instead of failing every question meanwhile.
 */
export class ClusterNotifier extends SocketNotifier {
  constructor(
    private readonly server: ChatServer,
    private readonly registry: PresenceRegistry,
  ) {
    super(server);
  }

  override isOnline(username: string): Promise<boolean> {
    return this.registry.isOnline(username, this.server.of("/").adapter.rooms.has(userRoom(username)));
  }

  override onlineUsers(): Promise<Set<string>> {
    return this.registry.onlinePeople();
  }

  /** Another instance may hold the person's sockets: every emit goes to the adapter. */
  protected override nobodyElseHere(): boolean {
    return false;
  }
}

/** The people with at least one socket on this instance: its `user:<name>` rooms. */
export function localPeople(io: ChatServer): string[] {
  const prefix = userRoom("");
  return [...io.of("/").adapter.rooms.keys()].flatMap((room) =>
    room.startsWith(prefix) ? [room.slice(prefix.length)] : [],
  );
}
