/**
 * The one parser for what a person types, in the page's composer and in the terminal client alike,
 * plus the words a device understands. Same syntax as the original asyncio client: `bob: hello`.
 */
import { USERNAME_PATTERN } from "./protocol-basics";

export type ParsedInput =
  | { kind: "send"; destination: string; message: string }
  | { kind: "text"; message: string }
  | { kind: "check" }
  | { kind: "who" }
  | { kind: "history"; username: string }
  | { kind: "help" }
  | { kind: "logoutEverywhere" }
  | { kind: "exit" }
  | { kind: "empty" }
  | { kind: "error"; error: string };

const ADDRESSED = /^([^\s:]+):\s?([\s\S]*)$/;

export function parseInput(raw: string): ParsedInput {
  const line = raw.trim();
  if (line === "") return { kind: "empty" };
  if (line === "exit") return { kind: "exit" };
  if (line.startsWith("!")) return parseBang(line);

  const addressed = ADDRESSED.exec(line);
  if (addressed && USERNAME_PATTERN.test(addressed[1]!)) {
    const message = addressed[2]!.trim();
    if (message === "") return { kind: "error", error: `Nothing to send to '${addressed[1]}'.` };
    return { kind: "send", destination: addressed[1]!, message };
  }
  return { kind: "text", message: line };
}

function parseBang(line: string): ParsedInput {
  const [command, ...args] = line.split(/\s+/);
  switch (command) {
    case "!check":
      return { kind: "check" };
    case "!who":
      return { kind: "who" };
    case "!help":
      return { kind: "help" };
    case "!logout-everywhere":
      return { kind: "logoutEverywhere" };
    case "!history":
      if (args.length === 1 && USERNAME_PATTERN.test(args[0]!)) return { kind: "history", username: args[0]! };
      return { kind: "error", error: "Usage: !history <username>" };
    default:
      return { kind: "error", error: `Unknown command ${command}. Type !help for the list.` };
  }
}

export const DEVICE_COMMANDS = ["subscribe", "unsubscribe", "reboot", "range", "help"] as const;
export type DeviceCommand = (typeof DEVICE_COMMANDS)[number];

/** What a device makes of a message's text; anything it does not know is `undefined` (answered with help). */
export function parseDeviceCommand(text: string): DeviceCommand | undefined {
  const word = text.trim().toLowerCase();
  return (DEVICE_COMMANDS as readonly string[]).includes(word) ? (word as DeviceCommand) : undefined;
}

export const INPUT_HELP = [
  "<user>: <text>      send a direct message, e.g. bob: hello",
  "!check              fetch messages you have not seen yet",
  "!who                list who is online",
  "!history <user>     show your conversation with <user>",
  "!logout-everywhere  end every session of yours, here and on every other device",
  "!help               this list",
  "exit                disconnect",
].join("\n");
