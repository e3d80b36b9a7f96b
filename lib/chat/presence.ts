import type { PresenceEvent } from "../contract/payloads";

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
