/**
 * Messages that reach this client, each taken in once and acknowledged under the ack rule (chat-client.ts): a
 * delivered one is acknowledged only after the client has taken it in, and one that comes again is acknowledged
 * again without being taken in twice.
 */
import { isGroup } from "../contract/names";
import type { ChatMessage } from "../contract/payloads";
import { openIncoming } from "./content";
import type { CoreSocket } from "./socket";

/** Ids remembered: enough to cover a backlog racing a check, or a redelivery after a lost ack. */
const REMEMBERED_IDS = 1_000;

export class Incoming {
  private readonly seen = new Set<string>();

  constructor(
    private readonly socket: CoreSocket,
    private readonly me: string,
    private readonly takeIn: (message: ChatMessage) => void,
  ) {}

  /** A `message` event: live, from the backlog, or without an ack (your own from another tab, a group's broadcast). */
  delivered(message: ChatMessage, ack?: (received?: true) => void): void {
    if (!this.seen.has(message.id)) {
      this.takeIn(openIncoming(message));
      this.remember(message.id);
    }
    if (ack) ack();
    else if (isGroup(message.destination) && message.sender !== this.me)
      this.socket.emit("message:received", { ids: [message.id] });
  }

  /** Messages fetched (a check page, which the server already recorded delivered): the ones not seen yet. */
  fresh(messages: ChatMessage[]): ChatMessage[] {
    const unseen: ChatMessage[] = [];
    for (const message of messages) {
      if (this.seen.has(message.id)) continue;
      this.remember(message.id);
      unseen.push(openIncoming(message));
    }
    return unseen;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value!);
  }
}
