/**
 * Child processes for tests, benchmarks and scripts: a TypeScript entry run by Node with tsx's
 * loader, its output collected, waited on, and stopped by its PID (SIGTERM, then SIGKILL).
 *
 * The loader runs inside the one Node process (`node --import tsx`, not tsx's command line, which
 * forks), so the PID held here is the program's own: signals reach it directly, and its memory and
 * CPU profile are its own.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { ROOT } from "./root";

const DEFAULT_GRACE_MS = 15_000;
const READY = /ready on http:\/\/localhost:(\d+)/;

export interface SpawnOptions {
  /** Arguments after the entry. */
  args?: string[];
  /** The child's whole environment; this process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Node flags before the loader, such as --cpu-prof or --require. */
  nodeFlags?: string[];
  /** A pipe to write the child's input to; otherwise its input is empty. */
  stdin?: boolean;
  /** Print the child's output here instead of collecting it. */
  inheritOutput?: boolean;
  /** An IPC channel for child.send() and the child's process.on("message"). */
  ipc?: boolean;
  /** Raise the open-file limit to the hard limit first: ten thousand sockets are ten thousand descriptors. */
  raiseOpenFileLimit?: boolean;
}

/** A command that is not a TypeScript entry (`npm run dev`): run in a process group of its own. */
export interface CommandOptions extends Pick<SpawnOptions, "env" | "inheritOutput"> {
  command: string;
  args: string[];
}

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Both streams, interleaved as they arrived. */
  output(): string;
  /**
   * Resolves with the first value of `check` that is not undefined or null, tried now and after
   * every chunk of output. Rejects, with the output so far, when timeoutMs passes or the process ends first.
   */
  waitFor<T>(check: () => T | undefined | null, timeoutMs: number, what: string): Promise<T>;
  /** Resolves with the exit code once the process has ended and its output is read (null after a signal). */
  exited(): Promise<number | null>;
  /** SIGTERM by PID, SIGKILL if it still runs after graceMs; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function spawnNode(entry: string, options: SpawnOptions = {}): NodeProcess {
  const argv = [...(options.nodeFlags ?? []), "--import", "tsx", entry, ...(options.args ?? [])];
  const [command, args] = options.raiseOpenFileLimit ? withHardFileLimit(argv) : [process.execPath, argv];
  const output = options.inheritOutput ? "inherit" : "pipe";
  const stdio: StdioOptions = [options.stdin ? "pipe" : "ignore", output, output];
  if (options.ipc) stdio.push("ipc");
  return watch(spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, stdio }), false);
}

/**
 * Runs a command as a person types it (`npm run dev`). npm starts the program as a grandchild, so the command gets
 * a process group of its own, led by the PID held here, and stop() signals that group: the program and nothing else.
 */
export function spawnCommand(options: CommandOptions): NodeProcess {
  const output = options.inheritOutput ? "inherit" : "pipe";
  const child = spawn(options.command, options.args, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", output, output],
    detached: true,
  });
  return watch(child, true);
}

function watch(child: ChildProcess, processGroup: boolean): NodeProcess {
  const signal = (name: NodeJS.Signals) => {
    try {
      if (processGroup) process.kill(-child.pid!, name);
      else child.kill(name);
    } catch {
      // The group is gone already: its leader's "close" is on its way.
    }
  };

  let stdout = "";
  let stderr = "";
  let all = "";
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    all += chunk;
    changed();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    all += chunk;
    changed();
  });
  child.stdin?.on("error", () => {}); // writing to a child that already exited is the caller's finding, not a crash

  // "close", not "exit": by then every byte of output has been read.
  let exitCode: number | null | undefined;
  const ended = new Promise<number | null>((resolve) => {
    child.once("close", (code: number | null) => {
      exitCode = code;
      resolve(code);
      changed();
    });
  });
  const hasEnded = () => exitCode !== undefined;

  return {
    child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => all,
    waitFor(check, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(attempt);
        };
        const fail = (reason: string) => {
          done();
          reject(new Error(`${what}: ${reason}\n--- output ---\n${all}`));
        };
        const attempt = () => {
          const found = check();
          if (found !== undefined && found !== null) {
            done();
            resolve(found);
          } else if (hasEnded()) {
            fail(`the process ended with code ${exitCode}`);
          }
        };
        const timer = setTimeout(() => fail(`not within ${timeoutMs} ms`), timeoutMs);
        listeners.add(attempt);
        attempt();
      });
    },
    exited: () => ended,
    stop(graceMs = DEFAULT_GRACE_MS) {
      if (hasEnded()) return ended;
      const force = setTimeout(() => signal("SIGKILL"), graceMs);
      signal("SIGTERM");
      return ended.finally(() => clearTimeout(force));
    },
  };
}

export interface ListeningProcess extends NodeProcess {
  port: number;
  url: string;
}

/**
 * Starts a server entry that prints "… ready on http://localhost:PORT" once it accepts connections,
 * and resolves when it has. A server that ends or stays silent past timeoutMs is killed and reported.
 */
export async function startListening(
  entry: string | CommandOptions,
  options: SpawnOptions & { timeoutMs: number },
): Promise<ListeningProcess> {
  const server = typeof entry === "string" ? spawnNode(entry, options) : spawnCommand({ ...entry, env: options.env });
  const what = typeof entry === "string" ? entry : [entry.command, ...entry.args].join(" ");
  try {
    const match = await server.waitFor(() => READY.exec(server.stdout()), options.timeoutMs, `${what} did not start`);
    const port = Number(match[1]);
    return { ...server, port, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    await server.stop(0);
    throw error;
  }
}

/** A shell raises the limit, then `exec`s Node, so the PID stays the program's. */
function withHardFileLimit(argv: string[]): [string, string[]] {
  const quoted = [process.execPath, ...argv].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(" ");
  return ["/bin/sh", ["-c", `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`]];
}
