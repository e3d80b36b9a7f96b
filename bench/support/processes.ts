/**
 * The processes of a benchmark run: the server under test (the real production server), the bare
 * relay it is compared with, the floor (the relay storing each send before its ack:
 * bench/baseline/stored-sends.ts), and the load-generating clients. Every child is started through
 * tools/processes.ts and stopped by its PID.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { spawnNode, startListening, type ListeningProcess, type NodeProcess } from "../../tools/processes";
import { startServerProcess, serverEnvironment } from "../../tools/server-process";

const MEMORY_REPORTER = path.join(__dirname, "report-memory.cjs");
const START_TIMEOUT_MS = 90_000;
const MEMORY_LINE = /^BENCH_MEMORY (.*)\n/m;

export type TargetKind = "app" | "baseline" | "floor";

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
  /** Clients send their session cookie, which a balancer in front keys its affinity on (the cluster scenario). */
  affinityCookie?: boolean;
  /** SIGTERM and wait for exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

export interface StartOptions {
  databaseFile: string;
  /** Write a V8 CPU profile of the server to this folder when it exits. */
  profileDir?: string;
}

/**
 * The scenarios measure what the app can carry, so the app runs with its send limits lifted: a
 * throughput sender keeps 8 sends in flight and sends ~120 a second, where a person is held to 20
 * a second per connection and 30 per person (server/realtime/limits.ts). The handshake budget per
 * client address is lifted too: every bench socket comes from 127.0.0.1 (10,000 of them in the
 * connection scenario), where people's sockets come from many addresses, and the default (a burst
 * of 20, then 10 a second) would make the scenario measure the limiter. The socket cap (50 per
 * person) and the typing limits are not reached: every bench socket is a different person, and
 * no scenario types. No scenario logs in over HTTP (the fixture holds the sessions), so the login
 * budget per address stays at its default, which bench/hardening.ts measures.
 */
const APP_LIMITS_FOR_BENCH = {
  SEND_LIMIT_PER_SOCKET: "1000000,1000000",
  SEND_LIMIT_PER_USER: "1000000,1000000",
  CONNECTS_PER_ADDRESS: "1000000,1000000",
};
// The cluster scenario starts its instances itself (scripts/cluster/processes.ts), with the bench's environment
// under its own settings: this lifts the handshake budget there too, as for the app here.
process.env.CONNECTS_PER_ADDRESS ??= APP_LIMITS_FOR_BENCH.CONNECTS_PER_ADDRESS;

export async function startTarget(kind: TargetKind, options: StartOptions): Promise<Target> {
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  // Ten thousand sockets are ten thousand descriptors, and the reporter answers SIGUSR2 with the heap.
  const spawn = { nodeFlags: [...profile, "--require", MEMORY_REPORTER], raiseOpenFileLimit: true };
  const server: ListeningProcess =
    kind === "app"
      ? await startServerProcess({
          databaseFile: options.databaseFile,
          env: APP_LIMITS_FOR_BENCH,
          spawn,
          timeoutMs: START_TIMEOUT_MS,
        })
      : await startListening(path.join("bench", "baseline", "relay-server.ts"), {
          ...spawn,
          env: { ...serverEnvironment(options.databaseFile), RELAY_STORES_SENDS: kind === "floor" ? "1" : "0" },
          timeoutMs: START_TIMEOUT_MS,
        });

  return {
    kind,
    url: server.url,
    pid: server.pid,
    output: server.output,
    async memory() {
      const from = server.stdout().length;
      server.child.kill("SIGUSR2");
      const line = await server.waitFor(
        () => MEMORY_LINE.exec(server.stdout().slice(from))?.[1],
        10_000,
        `${kind} server did not report its memory`,
      );
      const { heapUsed, heapTotal } = JSON.parse(line) as Memory;
      return { rss: residentSetSize(server.pid), heapUsed, heapTotal };
    },
    stop: async () => {
      await server.stop(20_000);
    },
  };
}

/** VmRSS of a process, in bytes. */
export function residentSetSize(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** A load-generating client process, talked to over Node's IPC channel. */
export function startLoadProcess(): NodeProcess {
  return spawnNode(path.join("bench", "load", "worker.ts"), {
    ipc: true,
    inheritOutput: true,
    raiseOpenFileLimit: true,
  });
}
