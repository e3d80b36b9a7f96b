/**
 * Presence and typing: the live signals about people, never stored as messages. Who is online is announced when a
 * person's sockets come and go (gathered into one event per window); who is typing goes to the person they type
 * to, or to the group they type in.
 */
import { isGroup } from "../contract/names";
import type { PresenceEvent } from "../contract/payloads";
import { typingSchema } from "../contract/schemas";
import type { AccountStore } from "../store";
import { groupRoom, type GroupService } from "./group-service";
import type { Notifier } from "./notifier";

/** How long presence changes are gathered before they are announced together. */
export const PRESENCE_WINDOW_MS = 250;

/**
 * Gathers presence changes and announces them in one event per window. Announcing each change to
 * everyone costs (people connecting) × (people connected) packets — 50 million for 10,000 people
 * arriving after a restart; gathered, it is one packet per person per window.
 */
export class PresenceAnnouncer {
  private readonly pending = new Map<string, PresenceEvent>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly announce: (events: PresenceEvent[]) => void,
    private readonly windowMs = PRESENCE_WINDOW_MS,
  ) {}

  changed(event: PresenceEvent): void {
    this.pending.set(event.username, event); // a later change of the same person replaces an earlier one
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
  }

  private flush(): void {
    this.timer = undefined;
    const events = [...this.pending.values()];
    this.pending.clear();
    if (events.length > 0) this.announce(events);
  }
}

export interface PresenceDeps {
  accounts: AccountStore;
  notifier: Notifier;
  groups: GroupService;
  now: () => Date;
}

export class Presence {
  private readonly announcer: PresenceAnnouncer;

  constructor(private readonly deps: PresenceDeps) {
    this.announcer = new PresenceAnnouncer((events) => deps.notifier.toEveryone("presence", events));
  }

  /** Called when a socket of `username` connects or disconnects. */
  async changed(username: string): Promise<void> {
    const online = await this.deps.notifier.isOnline(username);
    const lastSeen = this.deps.now();
    await this.deps.accounts.touchLastSeen(username, lastSeen);
    this.announcer.changed({ username, online, lastSeen: lastSeen.toISOString() });
  }

  /** Someone typing to a person, or in a group they are in (elsewhere it is dropped: typing has no answer). */
  async typing(username: string, payload: unknown): Promise<void> {
    const parsed = typingSchema.safeParse(payload);
    if (!parsed.success || parsed.data.destination === username) return;
    const { destination, typing } = parsed.data;
    if (!isGroup(destination)) {
      this.deps.notifier.toUser(destination, "typing", { username, typing });
      return;
    }
    const group = await this.deps.groups.forMember(username, destination).catch(() => undefined);
    if (group)
      this.deps.notifier.toRoom(
        groupRoom(group),
        "typing",
        { username, typing, group: `#${group.name}` },
        { exceptUser: username },
      );
  }
}
