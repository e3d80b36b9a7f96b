/**
 * Shows each incoming message once. The same message can reach the client twice — the stored
 * backlog sent on connect racing a `!check`, or a redelivery after a reconnect lost the ack — so
 * messages are remembered by id for a while.
 */
import type { ChatMessage } from "../lib/contract/payloads";
import { formatIncoming } from "./format";
import type { Output } from "./output";

const REMEMBERED_IDS = 1_000;

export class Inbox {
  private readonly shown = new Set<string>();
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly self: string,
    private readonly output: Output,
  ) {}

  /** Prints the message unless it was shown already or is your own; says whether it printed. */
  show(message: ChatMessage): boolean {
    // Your own messages come back as echoes meant for your other tabs; they are not news here.
    if (message.sender === this.self || this.shown.has(message.id)) return false;
    this.shown.add(message.id);
    if (this.shown.size > REMEMBERED_IDS) this.shown.delete(this.shown.values().next().value!);
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
