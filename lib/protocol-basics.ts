/**
 * The part of the contract that browsers run: plain values with no zod, so the chat page does not
 * ship a schema library to show a notice or parse `name: text`. lib/protocol.ts re-exports all of it.
 */

/** 1–32 of A–Z a–z 0–9 _ . - : no spaces and no colon, because `name: text` is the chat syntax. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

/** The words every client shows when a message waits in the store for its recipient. */
export function offlineNotice(destination: string): string {
  return `User '${destination}' is offline. Message saved.`;
}
