/**
 * Where message content crosses between a person and the wire, for both clients: `sealOutgoing` builds every
 * `message:send` payload, and `openIncoming` takes in every message the server hands over (live, from the backlog,
 * a check page, a send's answer, a history page, the conversation list). End-to-end encryption belongs here and
 * nowhere else: sealing the text for its destination on the way out, opening it on the way in. Until then, content
 * passes as it is.
 */
import type { ChatMessage } from "../contract/payloads";
import type { SendMessageInput } from "../contract/schemas";

/** What a person wrote, for whom, under the clientId that makes a resend the same send. */
export interface OutgoingDraft {
  destination: string;
  message: string;
  clientId: string;
}

export function sealOutgoing({ destination, message, clientId }: OutgoingDraft): SendMessageInput {
  return { destination, message, clientId };
}

export function openIncoming(message: ChatMessage): ChatMessage {
  return message;
}
