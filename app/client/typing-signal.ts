/**
 * The sending side of "typing…": while keys are pressed, tell the peer at most once every
 * TYPING_REPEAT_MS; after TYPING_IDLE_MS without a key, on send, or on switching peers, tell them
 * it stopped. Throttled so a fast typist costs a packet every two seconds, not one per key.
 */
export const TYPING_IDLE_MS = 3_000;
export const TYPING_REPEAT_MS = 2_000;

type Emit = (destination: string, typing: boolean) => void;

export class TypingSignal {
  private sent: { peer: string; at: number; idle?: ReturnType<typeof setTimeout> } | null = null;

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number = Date.now,
  ) {}

  /** A key was pressed in the conversation with `peer`. */
  keystroke(peer: string): void {
    if (this.sent && this.sent.peer !== peer) this.stop();
    const now = this.now();
    if (!this.sent || now - this.sent.at > TYPING_REPEAT_MS) {
      clearTimeout(this.sent?.idle);
      this.emit(peer, true);
      this.sent = { peer, at: now };
    }
    clearTimeout(this.sent.idle);
    this.sent.idle = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** Typing ended (sent, idle or left the conversation): tell the peer once. */
  stop(): void {
    const sent = this.sent;
    if (!sent) return;
    clearTimeout(sent.idle);
    this.sent = null;
    this.emit(sent.peer, false);
  }
}
