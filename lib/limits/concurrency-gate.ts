/**
 * At most `concurrency` tasks at once, at most `queue` more waiting their turn, and anything beyond that refused
 * at once. Used around password hashing: scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE
 * says otherwise), which file reads and DNS lookups share, so 200 sign-ups at once used to queue every other
 * request of the server behind 200 hashes (GET / from 21 ms to seconds; bench/hardening.ts). Bounded, hashing
 * keeps threads free for the rest, a burst waits at most `queue / concurrency` hashes long, and the overflow
 * hears "try again".
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
    /** The error for a task that finds every place taken. */
    private readonly full: () => Error,
  ) {
    if (concurrency < 1) throw new Error("a gate needs room for at least one task");
  }

  /** Whether a task started now would be refused: every place running and the queue full. */
  isFull(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.queue;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw this.full();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      // The place passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
