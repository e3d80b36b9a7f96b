/**
 * Work that has started and not finished, counted so that whoever must wait for it can: shutdown waits for the
 * requests and the chat's background work (live deliveries, delivery marks, device commands) before it closes the
 * store, and a socket closed for flooding waits for the answers of the sends it accepted. One type for both: a
 * scope counts its own work and hands every piece to its parent as well, so a socket's sends are one scope of the
 * server's, and shutdown still waits for them.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly parent?: InFlight) {}

  /** Counts `work` here (and in every enclosing scope) until it settles; answers the same promise. */
  track<T>(work: Promise<T>): Promise<T> {
    this.parent?.track(work);
    this.pending.add(work);
    const forget = () => this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** A scope of its own inside this one: what it tracks counts here too, what is tracked here does not count there. */
  scope(): InFlight {
    return new InFlight(this);
  }

  /**
   * Resolves when nothing tracked is left. Work can start more work (a device command stores a reply, whose
   * delivery then records its mark), so it waits until the set is empty, not only for what was tracked when it was
   * called.
   */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Like `idle`, giving up after `timeoutMs` (shutdown has a deadline). */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([this.idle(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
