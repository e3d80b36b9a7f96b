/**
 * The terminal client: `npm run client -- --username alice [--url …] [--password …]`.
 * Wiring only — options, password, login, socket, input loop — and the exit status.
 */
import { Command } from "commander";
import { ChatConnection, type ConnectionEvents } from "./connection";
import { connectedLine, formatDeviceStatus, formatReading } from "./format";
import { Inbox } from "./inbox";
import { Output } from "./output";
import { resolvePassword } from "./password";
import { runRepl } from "./repl";
import { CliError } from "./errors";
import { login, type Session } from "./session";

/** How long input waits for the stored messages to arrive, from a server that never says they did. */
const BACKLOG_WAIT_MS = 15_000;

interface Options {
  url: string;
  username: string;
  password?: string;
}

function parseOptions(argv: string[]): Options {
  return new Command()
    .name("chat-client")
    .description("Terminal client for P2P Chat. Type `bob: hello` to send, !help for commands.")
    .option("--url <url>", "server address", "http://localhost:3000")
    .requiredOption("-u, --username <name>", "who to log in as (the first login claims the name)")
    .option("-p, --password <password>", "password (default: $CHAT_PASSWORD, else asked on the terminal)")
    .parse(argv)
    .opts<Options>();
}

/** What the server pushes, as lines. */
function printEvents(
  session: Session,
  output: Output,
  inbox: Inbox,
  onFatal: (error: CliError) => void,
): ConnectionEvents {
  const followed = new Set<string>();
  return {
    message: (message) => inbox.show(message),
    warning: (warning) => output.error(`Warning from the server: ${warning.message}`),
    reading: (reading) => {
      followed.add(reading.device); // readings reach subscribers only, also those from an earlier session
      output.line(formatReading(reading));
    },
    subscription: ({ device, subscribed }) => (subscribed ? followed.add(device) : followed.delete(device)),
    // Status changes go to everyone; only those of devices you follow are worth a line.
    deviceStatus: (status) => {
      if (followed.has(status.device)) output.line(formatDeviceStatus(status, new Date()));
    },
    // Printed from the handshake itself, so it comes before the stored messages the server sends right after.
    connected: () => output.line(connectedLine(session.url, session.username)),
    disconnected: (reason) => output.error(`Disconnected from ${session.url} (${reason}). Reconnecting…`),
    reconnected: () => output.error(`Reconnected to ${session.url}.`),
    waiting: (seconds) =>
      output.error(`Too many connections from your address to ${session.url}: trying again in ${seconds} s.`),
    fatal: onFatal,
  };
}

/** Catches `--url localhost:3000`, which fetch would otherwise reject with a puzzling message. */
function checkUrl(url: string): void {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol !== "http:" && protocol !== "https:") {
    throw new CliError(`--url must be an http:// or https:// address, not '${url}'`);
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv);
  const output = new Output();
  try {
    checkUrl(options.url);
    const password = await resolvePassword(options.password);
    const session = await login(options.url, options.username, password);

    let connectionLost!: (error: CliError) => void;
    const lost = new Promise<CliError>((resolve) => (connectionLost = resolve));
    const inbox = new Inbox(session.username, output);
    const connection = await ChatConnection.open(session, printEvents(session, output, inbox, connectionLost));
    // What waited for you prints before the first line of input runs, so `printf 'exit\n' | …` shows it.
    await Promise.race([connection.backlogArrived(BACKLOG_WAIT_MS), lost]);

    const outcome = await Promise.race([runRepl({ session, connection, output, inbox }).then(() => undefined), lost]);
    connection.close();
    if (outcome) throw outcome;
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    output.error(`Error: ${error.message}`);
    return 1;
  }
}

/** Exits explicitly: a loop still reading stdin must not keep a finished client alive. */
function exitWith(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

main().then(exitWith, (error: unknown) => {
  console.error(error);
  exitWith(2);
});
