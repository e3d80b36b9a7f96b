/**
 * Prints incoming messages. Each reaches it once: the client core drops one the server offers again (the stored
 * backlog sent on connect racing a `!check`, a redelivery after a reconnect lost the ack).
 */
import type { ChatMessage } from "../lib/contract/payloads";
import { formatIncoming } from "./format";
import type { Output } from "./output";

export class Inbox {
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly self: string,
    private readonly output: Output,
  ) {}

  /** Prints the message unless it is your own; says whether it printed. */
  show(message: ChatMessage): boolean {
    // Your own messages come back as echoes meant for your other tabs; they are not news here.
    if (message.sender === this.self) return false;
    this.output.line(formatIncoming(message));
    this.waiting.get(message.sender)?.();
    return true;
  }

  /** Resolves when the next message from `sender` has been shown, or after `timeoutMs`, whichever is first. */
  nextFrom(sender: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(sender);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiting.set(sender, done);
    });
  }
}
