/** Counts work that has started and not finished, so shutdown can wait for writes already under way. */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = () => this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  /**
   * Resolves when nothing tracked is left, or after `timeoutMs`. Work can start more work (a device
   * command stores a reply, whose delivery then records its mark), so it waits until the set is empty,
   * not only for what was tracked when it was called.
   */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      while (this.pending.size > 0) {
        const settled = Promise.allSettled([...this.pending]).then(() => true as const);
        if (!(await Promise.race([settled, timeout]))) return;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
