/**
 * Runs the real terminal client (cli/index.ts) as a child process with piped stdio, the way a
 * script would, and stops it by its PID.
 */
import { spawnNode, type NodeProcess } from "../../tools/processes";

const WAIT_MS = 10_000;

export interface ClientProcess {
  /** Everything printed so far, split into lines. */
  stdoutLines(): string[];
  stderr(): string;
  /** Types one line. */
  type(line: string): void;
  /** Ends the input, like Ctrl-D or the end of a piped script. */
  endInput(): void;
  /** Resolves with the first stdout line (already printed or still to come) that matches. */
  waitForLine(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code, or rejects if the process is still running after timeoutMs. */
  exitCode(timeoutMs?: number): Promise<number | null>;
}

const running = new Set<NodeProcess>();

export function startClient(args: string[], options: { env?: Record<string, string> } = {}): ClientProcess {
  const env = { ...process.env, ...options.env };
  if (!options.env?.CHAT_PASSWORD) delete env.CHAT_PASSWORD;
  const client = spawnNode("cli/index.ts", { args, env, stdin: true });
  running.add(client);
  void client.exited().then(() => running.delete(client));

  const lines = () =>
    client
      .stdout()
      .split("\n")
      .filter((line, index, all) => index < all.length - 1 || line !== "");
  const matches = (line: string, match: string | RegExp) =>
    typeof match === "string" ? line === match : match.test(line);

  return {
    stdoutLines: lines,
    stderr: client.stderr,
    type: (line) => client.child.stdin!.write(`${line}\n`),
    endInput: () => client.child.stdin!.end(),
    waitForLine: (match, timeoutMs = WAIT_MS) =>
      client.waitFor(() => lines().find((line) => matches(line, match)), timeoutMs, `no line matching ${match}`),
    exitCode(timeoutMs = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the client was still running after ${timeoutMs} ms\n${client.output()}`)),
          timeoutMs,
        );
        void client.exited().then((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
  };
}

/** Stops every client a test started and left running: SIGTERM by PID, SIGKILL if it lingers. */
export async function stopAllClients(): Promise<void> {
  await Promise.all([...running].map((client) => client.stop(3_000)));
}
