/**
 * The input loop: one typed line at a time, parsed by lib/contract/commands.ts (the same parser as the page),
 * each finished — its ack received — before the next is read, so a script's output comes in order.
 * The same loop serves a person at a terminal (with a prompt) and a script on a pipe (without).
 */
import readline from "node:readline";
import { INPUT_HELP, parseInput, type ParsedInput } from "../lib/contract/commands";
import { MAX_MESSAGE_LENGTH } from "../lib/contract/names";
import type { ChatConnection } from "./connection";
import {
  formatGroups,
  formatHistory,
  formatWho,
  LOGGED_OUT_EVERYWHERE,
  NO_NEW_MESSAGES,
  offlineNotice,
  tooLong,
  UNADDRESSED_HINT,
} from "./format";
import type { Inbox } from "./inbox";
import type { Output } from "./output";
import { CliError } from "./errors";
import { changeGroup, history, listGroups, listUsers, logoutEverywhere, type Session } from "./session";

const HISTORY_LINES = 20;
const DEVICE_REPLY_WAIT_MS = 5_000;
const PROMPT = "> ";

export interface ReplContext {
  session: Session;
  connection: ChatConnection;
  output: Output;
  inbox: Inbox;
}

/** Reads lines until `exit` or the end of input; resolves when the last command has finished. */
export async function runRepl(context: ReplContext, input: NodeJS.ReadableStream = process.stdin): Promise<void> {
  const interactive = Boolean((input as NodeJS.ReadStream).isTTY);
  const lines = readline.createInterface({
    input,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
  });
  if (interactive) {
    lines.setPrompt(PROMPT);
    lines.on("SIGINT", () => lines.close()); // Ctrl-C leaves like `exit`
    context.output.attachPrompt(lines);
    lines.prompt();
  }
  try {
    for await (const line of lines) {
      const parsed = parseInput(line);
      if (parsed.kind === "exit") break;
      if (parsed.kind === "logoutEverywhere") {
        await leaveEverywhere(context);
        break;
      }
      await execute(parsed, context);
      if (interactive) lines.prompt();
    }
  } finally {
    context.output.detachPrompt();
    lines.close();
  }
}

/**
 * `!logout-everywhere`: every session of this person ends, and the client leaves. Its own socket is
 * closed first, so the server disconnecting it is not taken for a dropped connection. A failure
 * stops the client with an error, since its own socket is closed by then.
 */
async function leaveEverywhere({ session, connection, output }: ReplContext): Promise<void> {
  connection.close();
  await logoutEverywhere(session);
  output.line(LOGGED_OUT_EVERYWHERE);
}

/** What one parsed line does. Failures are reported and the loop goes on. */
async function execute(
  input: Exclude<ParsedInput, { kind: "exit" | "logoutEverywhere" }>,
  { session, connection, output, inbox }: ReplContext,
): Promise<void> {
  try {
    switch (input.kind) {
      case "empty":
        return;
      case "send": {
        // Refused here rather than by the server, which closes a connection sent a frame this big.
        if (input.message.length > MAX_MESSAGE_LENGTH) {
          return output.error(`Could not send to '${input.destination}': ${tooLong(input.message.length)}`);
        }
        // A device answers every command: wait for that reply, so a script sees it before its next line.
        const reply = inbox.nextFrom(input.destination, DEVICE_REPLY_WAIT_MS);
        const sent = await connection.send(input.destination, input.message);
        if (!sent.ok) return output.error(`Could not send to '${input.destination}': ${sent.error}`);
        if (!sent.online) output.line(offlineNotice(input.destination));
        if (sent.message.type === "command") await reply;
        return;
      }
      case "check": {
        // Each page prints as it comes; a message the connect-time backlog already showed is not in it.
        let shown = 0;
        const checked = await connection.check((messages) => {
          shown += messages.filter((message) => inbox.show(message)).length;
        });
        if (!checked.ok) return output.error(`Could not check for messages: ${checked.error}`);
        if (shown === 0) output.line(NO_NEW_MESSAGES);
        return;
      }
      case "who":
        return output.line(formatWho(await listUsers(session), session.username));
      case "history":
        return output.line(formatHistory(await history(session, input.username, HISTORY_LINES), input.username));
      case "groups":
        return output.line(formatGroups(await listGroups(session)));
      case "group":
        return output.line(await changeGroup(session, input.action, input.name, input.usernames));
      case "help":
        return output.line(INPUT_HELP);
      case "text":
        return output.error(UNADDRESSED_HINT);
      case "error":
        return output.error(input.error);
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    output.error(`Error: ${error.message}`);
  }
}
