/**
 * Starting and stopping the processes of a benchmark run: the server under test (the real
 * production server), the bare relay it is compared with, and the load-generating clients.
 * Every child is started here and stopped by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
const MEMORY_REPORTER = path.join(__dirname, "report-memory.cjs");
const START_TIMEOUT_MS = 90_000;

export type TargetKind = "app" | "baseline";

export interface Memory {
  /** Resident set size from /proc/<pid>/status (VmRSS), bytes. */
  rss: number;
  /** V8 heap in use, as the process itself reports it, bytes. */
  heapUsed: number;
  heapTotal: number;
}

export interface Target {
  kind: TargetKind;
  url: string;
  pid: number;
  memory(): Promise<Memory>;
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/**
 * Node runs TypeScript through tsx's loader in the same process (not tsx's CLI, which forks), so the
 * PID we hold is the server's own: its memory, its CPU profile. A shell raises the open-file limit
 * to the hard limit first, because ten thousand sockets are ten thousand descriptors.
 */
function nodeCommand(args: string[]): [string, string[]] {
  const quoted = [process.execPath, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(" ");
  return ["/bin/sh", ["-c", `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${quoted}`]];
}

export interface StartOptions {
  databaseFile: string;
  /** Write a V8 CPU profile of the server to this folder when it exits. */
  profileDir?: string;
}

/**
 * The scenarios measure what the app can carry, so the app runs with its send limits lifted: a
 * throughput sender keeps 8 sends in flight and sends ~120 a second, where a person is held to 20
 * a second per connection and 30 per person (server/realtime/limits.ts). The socket cap (50 per
 * person) and the typing limits are not reached: every bench socket is a different person, and
 * no scenario types.
 */
const APP_LIMITS_FOR_BENCH = {
  SEND_LIMIT_PER_SOCKET: "1000000,1000000",
  SEND_LIMIT_PER_USER: "1000000,1000000",
};

export async function startTarget(kind: TargetKind, options: StartOptions): Promise<Target> {
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const entry = kind === "app" ? "server/index.ts" : path.join("bench", "baseline", "relay-server.ts");
  const [command, args] = nodeCommand([...profile, "--require", MEMORY_REPORTER, "--import", "tsx", entry]);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${options.databaseFile}`,
      ...(kind === "app" ? APP_LIMITS_FOR_BENCH : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const memoryWaiters: ((line: string) => void)[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    for (const line of chunk.split("\n")) {
      if (line.startsWith("BENCH_MEMORY ")) memoryWaiters.shift()?.(line.slice("BENCH_MEMORY ".length));
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));

  const port = await new Promise<number>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${kind} server: ${error.message}\n${output}`));
    };
    const timer = setTimeout(() => fail(new Error("did not start in time")), START_TIMEOUT_MS);
    const onData = () => {
      const match = /ready on http:\/\/localhost:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("exit", onEarlyExit);
      resolve(Number(match[1]));
    };
    const onEarlyExit = (code: number | null) => fail(new Error(`exited with code ${code} before it was ready`));
    child.stdout!.on("data", onData);
    child.once("exit", onEarlyExit);
  });

  const pid = child.pid!;
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    pid,
    output: () => output,
    async memory() {
      const reported = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${kind} server did not report its memory`)), 10_000);
        memoryWaiters.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
      });
      child.kill("SIGUSR2");
      const { heapUsed, heapTotal } = JSON.parse(await reported) as Memory;
      return { rss: residentSetSize(pid), heapUsed, heapTotal };
    },
    stop: () => stopProcess(child),
  };
}

/** VmRSS of a process, in bytes. */
export function residentSetSize(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

export function stopProcess(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** A load-generating client process, talked to over Node's IPC channel. */
export function startLoadProcess(): ChildProcess {
  const [command, args] = nodeCommand(["--import", "tsx", path.join("bench", "load", "worker.ts")]);
  return spawn(command, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}
