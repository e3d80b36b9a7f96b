/**
 * Names and words of the contract that every side uses, the page included: plain values with no zod, so the chat
 * page does not ship a schema library to tell a group from a person, show a notice or parse `name: text`.
 */

/** 1–32 of A–Z a–z 0–9 _ . - : no spaces and no colon, because `name: text` is the chat syntax. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

/** The words every client shows when a message waits in the store for its recipient. */
export function offlineNotice(destination: string): string {
  return `User '${destination}' is offline. Message saved.`;
}

/** The longest message text, in characters (the terminal client refuses a longer line before sending it). */
export const MAX_MESSAGE_LENGTH = 4000;

/**
 * `#`: a group, wherever a name is accepted — `#<name>` on the wire, `#<group id>` in the store. `#` is in no
 * username, so a destination or a conversation is a group exactly when it starts with it.
 */
export const GROUP_PREFIX = "#";
export const isGroup = (destinationOrConversation: string): boolean =>
  destinationOrConversation.startsWith(GROUP_PREFIX);

/** A group's name without its `#`; anything else as it is (`!group add #team bob` and `!group add team bob` agree). */
export const withoutGroupPrefix = (name: string): string => (isGroup(name) ? name.slice(GROUP_PREFIX.length) : name);
