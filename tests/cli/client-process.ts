/**
 * Runs the real terminal client (node + tsx cli/index.ts) as a child process with piped stdio,
 * the way a script would, and stops it by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
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

const running = new Set<ChildProcess>();

export function startClient(args: string[], options: { env?: Record<string, string> } = {}): ClientProcess {
  const env = { ...process.env, ...options.env };
  if (!options.env?.CHAT_PASSWORD) delete env.CHAT_PASSWORD;
  const child = spawn(process.execPath, [TSX, "cli/index.ts", ...args], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));

  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    changed();
  });
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
    changed();
  });
  child.stdin!.on("error", () => {}); // writing to a client that already exited is the test's finding, not a crash

  const lines = () => stdout.split("\n").filter((line, index, all) => index < all.length - 1 || line !== "");
  const matches = (line: string, match: string | RegExp) =>
    typeof match === "string" ? line === match : match.test(line);

  return {
    stdoutLines: lines,
    stderr: () => stderr,
    type: (line) => child.stdin!.write(`${line}\n`),
    endInput: () => child.stdin!.end(),
    waitForLine(match, timeoutMs = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines().find((line) => matches(line, match));
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${match} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    exitCode(timeoutMs = WAIT_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`the client was still running after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`),
            ),
          timeoutMs,
        );
        child.once("exit", (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
  };
}

/** Stops every client a test started and left running: SIGTERM by PID, SIGKILL if it lingers. */
export async function stopAllClients(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
          child.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}
