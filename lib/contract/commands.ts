/**
 * The one parser for what a person types, in the page's composer and in the terminal client alike,
 * plus the words a device understands. Same syntax as the original asyncio client: `bob: hello`.
 */
import { USERNAME_PATTERN, withoutGroupPrefix } from "./names";

export type GroupAction = "create" | "add" | "remove" | "leave";

export type ParsedInput =
  | { kind: "send"; destination: string; message: string }
  | { kind: "groups" }
  | { kind: "group"; action: GroupAction; name: string; usernames: string[] }
  | { kind: "text"; message: string }
  | { kind: "check" }
  | { kind: "who" }
  /** `username` is a person's name or `#<group>`. */
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
  if (addressed && isDestination(addressed[1]!)) {
    const message = addressed[2]!.trim();
    if (message === "") return { kind: "error", error: `Nothing to send to '${addressed[1]}'.` };
    return { kind: "send", destination: addressed[1]!, message };
  }
  return { kind: "text", message: line };
}

/** A person's name or `#<group name>` (`#team: hello` goes to the group). */
function isDestination(word: string): boolean {
  return USERNAME_PATTERN.test(withoutGroupPrefix(word));
}

const GROUP_USAGE =
  "Usage: !group create <name> <user> [<user> …] | !group add <name> <user> | !group remove <name> <user> | !group leave <name>";

/** `!group <action> <name> [users]`; the group's name may be written with or without its `#`. */
function parseGroup(args: string[]): ParsedInput {
  const [action, rawName, ...usernames] = args;
  const name = rawName === undefined ? undefined : withoutGroupPrefix(rawName);
  if (!name || !USERNAME_PATTERN.test(name) || !usernames.every((u) => USERNAME_PATTERN.test(u)))
    return { kind: "error", error: GROUP_USAGE };
  const wanted =
    action === "create" ? usernames.length >= 1 : action === "leave" ? usernames.length === 0 : usernames.length === 1;
  if ((action !== "create" && action !== "add" && action !== "remove" && action !== "leave") || !wanted)
    return { kind: "error", error: GROUP_USAGE };
  return { kind: "group", action, name, usernames };
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
      if (args.length === 1 && isDestination(args[0]!)) return { kind: "history", username: args[0]! };
      return { kind: "error", error: "Usage: !history <username>" }; // or #<group>
    case "!groups":
      return args.length === 0 ? { kind: "groups" } : { kind: "error", error: "Usage: !groups" };
    case "!group":
      return parseGroup(args);
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
  "#<group>: <text>    send to a group you are in, e.g. #team: hello",
  "!check              fetch messages you have not seen yet",
  "!who                list who is online",
  "!history <user>     show your conversation with <user> (or #<group>)",
  "!groups             list your groups and their members",
  "!group create <name> <user> …   create a group with these members (you own it)",
  "!group add <name> <user>        add a member (owner)",
  "!group remove <name> <user>     remove a member (owner)",
  "!group leave <name>             leave a group",
  "!logout-everywhere  end every session of yours, here and on every other device",
  "!help               this list",
  "exit                disconnect",
].join("\n");
