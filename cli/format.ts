/**
 * Every line the terminal client prints about the chat, in one place, so the words stay the same
 * as the original asyncio client's and the tests can check them against one definition.
 */
import { CONTROL_CHARACTER } from "../lib/contract/schemas";
import { isGroup, MAX_MESSAGE_LENGTH } from "../lib/contract/names";
import type { ChatMessage, DeviceStatusEvent, GroupSummary, ReadingEvent, UserSummary } from "../lib/contract/payloads";

export { offlineNotice } from "../lib/contract/names";

const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, "g");
/** What starts each further line of a message, so none of them can pass for a line of its own. */
export const CONTINUATION = "  | ";

/**
 * Text someone else wrote, made safe to print: every control character the terminal would act on
 * (ESC clearing the screen or retitling the window, CR overwriting the line) is shown as `\xHH`
 * instead. The server refuses them; this also covers messages stored before it did, or another server.
 */
export function visible(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A message's text: visible, and every line after the first marked, so it cannot forge `[time][someone]`. */
function messageText(text: string): string {
  return visible(text).split("\n").join(`\n${CONTINUATION}`);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-11-25 20:31:07` in the local time zone: readable, sortable, and one format for every line. */
export function formatTimestamp(iso: string | Date): string {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

type Printed = Pick<ChatMessage, "timestamp" | "sender" | "message"> & Partial<Pick<ChatMessage, "destination">>;

/** `[timestamp]`, then `[#team]` for a group message, then `[sender]`. */
function heading(message: Printed): string {
  const { destination } = message;
  const group = destination !== undefined && isGroup(destination) ? `[${visible(destination)}]` : "";
  return `[${formatTimestamp(message.timestamp)}]${group}[${visible(message.sender)}]`;
}

/** A message as it arrives live: `[timestamp][sender] text`, `[timestamp][#team][sender] text` in a group. */
export function formatLive(message: Printed): string {
  return `${heading(message)} ${messageText(message.message)}`;
}

/** A message that waited in the store: `[Stored] [timestamp][sender] 'text'` (with `[#team]` in a group). */
export function formatStored(message: Printed): string {
  return `[Stored] ${heading(message)} '${messageText(message.message)}'`;
}

/** `!groups`: each group with its members, the owner marked; online members marked `*`. */
export function formatGroups(groups: GroupSummary[]): string {
  if (groups.length === 0) return "You are in no groups.";
  return groups
    .map((group) => {
      const members = group.members.map(
        (m) => `${visible(m.username)}${m.username === group.owner ? " (owner)" : ""}${m.online ? " *" : ""}`,
      );
      return `#${visible(group.name)}: ${members.join(", ")}`;
    })
    .join("\n");
}

/** An incoming message, live or stored, decided by the server's `stored` flag. */
export function formatIncoming(message: ChatMessage): string {
  return message.stored ? formatStored(message) : formatLive(message);
}

/** A reading from a device you subscribed to: `[timestamp][thermometer1] 21.4 °C`. */
export function formatReading(reading: ReadingEvent): string {
  return `[${formatTimestamp(reading.timestamp)}][${reading.device}] ${reading.value} ${reading.unit}`;
}

/** A device changing state; the event carries no time of its own, so the caller passes when it arrived. */
export function formatDeviceStatus(status: DeviceStatusEvent, receivedAt: Date): string {
  return `[${formatTimestamp(receivedAt)}][${status.device}] ${status.status}`;
}

/** `!who`: everyone online except yourself, services marked as such. */
export function formatWho(users: UserSummary[], self: string): string {
  const online = users
    .filter((user) => user.online && user.username !== self)
    .map((user) => (user.service ? `${user.username} (${user.service})` : user.username));
  return online.length === 0 ? "Nobody else is online." : `Online: ${online.join(", ")}`;
}

/** `!history <user>`: the conversation oldest first, each line like a live message. */
export function formatHistory(messages: ChatMessage[], peer: string): string {
  if (messages.length === 0) return `No messages with '${peer}' yet.`;
  return messages.map(formatLive).join("\n");
}

export const NO_NEW_MESSAGES = "No new messages.";

export const LOGGED_OUT_EVERYWHERE = "Logged out everywhere.";

/** Why a line is not sent: `the message is 120,000 characters long; the limit is 4,000`. */
export function tooLong(length: number): string {
  return `the message is ${length.toLocaleString("en")} characters long; the limit is ${MAX_MESSAGE_LENGTH.toLocaleString("en")}`;
}

export function connectedLine(url: string, username: string): string {
  return `Connected to ${url} as ${username}. Type !help for commands.`;
}

/** Said when a line has no `name:` in front of it, so it is not clear who it is for. */
export const UNADDRESSED_HINT = "Who is it for? Write <user>: <text>, e.g. bob: hello. Type !help for commands.";
