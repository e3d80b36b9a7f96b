/**
 * Every line the terminal client prints about the chat, in one place, so the words stay the same
 * as the original asyncio client's and the tests can check them against one definition.
 */
import type { ChatMessage, DeviceStatusEvent, ReadingEvent, UserSummary } from "../lib/protocol";

export { offlineNotice } from "../lib/protocol";

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

/** A message as it arrives live: `[timestamp][sender] text`. */
export function formatLive(message: Pick<ChatMessage, "timestamp" | "sender" | "message">): string {
  return `[${formatTimestamp(message.timestamp)}][${message.sender}] ${message.message}`;
}

/** A message that waited in the store: `[Stored] [timestamp][sender] 'text'`. */
export function formatStored(message: Pick<ChatMessage, "timestamp" | "sender" | "message">): string {
  return `[Stored] [${formatTimestamp(message.timestamp)}][${message.sender}] '${message.message}'`;
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

export function connectedLine(url: string, username: string): string {
  return `Connected to ${url} as ${username}. Type !help for commands.`;
}

/** Said when a line has no `name:` in front of it, so it is not clear who it is for. */
export const UNADDRESSED_HINT = "Who is it for? Write <user>: <text>, e.g. bob: hello. Type !help for commands.";
