/**
 * Group commit: writes requested while another write is running (or in the same turn of the event
 * loop) are written together in one statement, and each caller's promise settles only when that
 * write has finished — so nothing is acknowledged before it is stored, and under load a burst of
 * messages costs one round trip to the database instead of one each. A quiet server writes on the
 * next turn of the event loop, so the added delay is at most the length of the write before it.
 */
export interface GroupCommitOptions<Item> {
  /** The most weight one write carries (items count 1 each unless `weigh` says otherwise). */
  maxWeight: number;
  weigh?: (item: Item) => number;
  /**
   * When a write of several items fails, write each of them again on its own, so that an item that
   * cannot be written fails alone instead of taking the unrelated items of its batch with it. Only
   * for writes that can be repeated: the items of the failed write must not have been stored. A
   * function decides by the error: a failure that is no item's fault (a busy store) fails them all.
   */
  isolateFailures?: boolean | ((error: unknown) => boolean);
  /** Told after every write: how many items it carried, how long it took (seconds), and whether it committed. */
  observe?: (items: number, seconds: number, ok: boolean) => void;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class GroupCommit<Item, Result> {
  private queue: Waiting<Item, Result>[] = [];
  private writing = false;
  private scheduled = false;

  /** `write` returns one result per item, in order; if it throws, every caller in that write sees the error. */
  constructor(
    private readonly write: (items: Item[]) => Promise<Result[]>,
    private readonly options: GroupCommitOptions<Item>,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.settle(batch);
        } catch (error) {
          if (!this.isolates(error) || batch.length === 1) {
            for (const waiting of batch) waiting.reject(error);
            continue;
          }
          for (const waiting of batch) await this.settle([waiting]).catch(waiting.reject);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private isolates(error: unknown): boolean {
    const { isolateFailures } = this.options;
    return typeof isolateFailures === "function" ? isolateFailures(error) : isolateFailures === true;
  }

  private async settle(batch: Waiting<Item, Result>[]): Promise<void> {
    const started = performance.now();
    const observe = (ok: boolean) => this.options.observe?.(batch.length, (performance.now() - started) / 1000, ok);
    const results = await this.write(batch.map((waiting) => waiting.item)).catch((error: unknown) => {
      observe(false);
      throw error;
    });
    observe(true);
    for (const [i, waiting] of batch.entries()) waiting.resolve(results[i]!);
  }

  private takeBatch(): Waiting<Item, Result>[] {
    const weigh = this.options.weigh ?? (() => 1);
    let weight = 0;
    let count = 0;
    while (
      count < this.queue.length &&
      (count === 0 || weight + weigh(this.queue[count]!.item) <= this.options.maxWeight)
    ) {
      weight += weigh(this.queue[count]!.item);
      count += 1;
    }
    return this.queue.splice(0, count);
  }
}
