/**
 * The processes of a cluster on one machine — Debian's redis-server and nginx, and chat instances — each started
 * on 127.0.0.1 with its own temporary files, watched until it is ready, and stopped by its PID (never by name).
 * Used by `npm run cluster` and by the cluster tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { type NginxBudgets, nginxConfig } from "./nginx-config";

const ROOT = path.resolve(__dirname, "..", "..");
const OUTPUT_KEPT = 256 * 1024;

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** What it printed (the latest 256 KiB). */
  output(): string;
  /** Resolves with the exit code (or null after a signal) once it has exited. */
  readonly exited: Promise<number | null>;
  readonly running: boolean;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

const started = new Set<ChildProcess>();
// Whatever happens to the process that started them, they do not outlive it.
process.once("exit", () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** The full path of a program on PATH (and the sbin folders, where Debian puts nginx), or an error saying so. */
export function findProgram(name: string, hint: string): string {
  const folders = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const folder of folders.filter(Boolean)) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found on PATH: ${hint}`);
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Ready once this matches the output, or once this resolves true (polled). */
  ready: RegExp | (() => Promise<boolean>);
  timeoutMs?: number;
}

export async function spawnManaged(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<ManagedProcess> {
  // Its own process group: a Ctrl-C in the terminal reaches only the script, which stops everything in order.
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      started.delete(child);
      resolve(code);
    }),
  );
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  const managed: ManagedProcess = {
    name,
    pid: child.pid!,
    output: () => output,
    exited,
    get running() {
      return isRunning();
    },
    async stop(graceMs = 15_000) {
      if (!isRunning()) return exited;
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(force);
      return code;
    },
    async kill() {
      if (isRunning()) child.kill("SIGKILL");
      await exited;
    },
  };

  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const ready = options.ready;
  for (;;) {
    if (!isRunning()) throw new Error(`${name} exited before it was ready:\n${output}`);
    if (ready instanceof RegExp ? ready.test(output) : await ready()) return managed;
    if (Date.now() > deadline) {
      await managed.kill();
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface RedisProcess extends ManagedProcess {
  url: string;
  port: number;
}

/** Debian's redis-server on 127.0.0.1, keeping nothing on disk (the chat must cope with a Redis that restarts empty). */
export async function startRedis(options: { dir: string; port?: number }): Promise<RedisProcess> {
  const program = findProgram("redis-server", "install it with `apt-get install redis-server`");
  const port = options.port ?? (await freePort());
  const config = path.join(options.dir, "redis.conf");
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(
    config,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      "protected-mode yes",
      `dir ${options.dir}`,
      'save ""',
      "appendonly no",
      "daemonize no",
      "loglevel warning",
      // Find a client whose machine vanished (no FIN) within seconds, not the default five minutes.
      "tcp-keepalive 10",
    ].join("\n"),
  );
  const redis = await spawnManaged(`redis:${port}`, program, [config], { ready: () => listening(port) });
  return Object.assign(redis, { url: `redis://127.0.0.1:${port}`, port });
}

export interface ChatInstance extends ManagedProcess {
  url: string;
  port: number;
}

/** One chat server (production build) on 127.0.0.1:port, behind a proxy, in the cluster on `redisUrl`. */
export async function startInstance(options: {
  port: number;
  databaseFile: string;
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<ChatInstance> {
  // `node --import tsx` runs the server in this very process, so its PID is the server's (kill -9 hits it).
  const instance = await spawnManaged(
    `instance:${options.port}`,
    process.execPath,
    ["--import", "tsx", "server/index.ts"],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        HOST: "127.0.0.1",
        PORT: String(options.port),
        DATABASE_URL: `file:${options.databaseFile}`,
        REDIS_URL: options.redisUrl,
        TRUST_PROXY: "1",
        ...options.env,
      },
      ready: /Chat ready on/,
    },
  );
  return Object.assign(instance, { url: `http://127.0.0.1:${options.port}`, port: options.port });
}

export interface NginxProcess extends ManagedProcess {
  url: string;
  port: number;
}

/** Debian's nginx with deploy/nginx.conf, listening on `port` and balancing over the instances' ports. */
export async function startNginx(options: {
  dir: string;
  port: number;
  upstreams: number[];
  budgets?: NginxBudgets;
}): Promise<NginxProcess> {
  const program = findProgram("nginx", "install it with `apt-get install nginx`");
  mkdirSync(path.join(options.dir, "temp"), { recursive: true });
  const config = path.join(options.dir, "nginx.conf");
  writeFileSync(config, nginxConfig(options));
  const nginx = await spawnManaged(
    `nginx:${options.port}`,
    program,
    ["-p", `${options.dir}/`, "-c", config, "-e", "stderr", "-g", "daemon off;"],
    { ready: () => listening(options.port) },
  );
  return Object.assign(nginx, { url: `http://127.0.0.1:${options.port}`, port: options.port });
}
