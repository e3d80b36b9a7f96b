/**
 * `npm run cluster`: the chat as several instances on this machine, to try what a real deployment does —
 * Debian's redis-server, N chat instances (default 3) sharing one SQLite file and that Redis, and nginx in front
 * with deploy/nginx.conf. http://localhost:3000 then serves the cluster. Everything lives in a temporary folder;
 * Ctrl-C stops what this started (nginx, then the instances, then Redis) and removes the folder.
 *
 *   npm run cluster                       # 3 instances on ports 3001–3003, nginx on 3000
 *   npm run cluster -- --instances 5 --port 8080
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { chmodSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { type ChatInstance, listening, type ManagedProcess, startInstance, startNginx, startRedis } from "./processes";

const ROOT = path.resolve(__dirname, "..", "..");

const program = new Command()
  .name("npm run cluster --")
  .option("--instances <n>", "how many chat instances", "3")
  .option("--port <port>", "where nginx listens; the instances take the ports after it", "3000")
  .parse();
const options = program.opts<{ instances: string; port: string }>();

async function main(): Promise<void> {
  const count = Number(options.instances);
  const port = Number(options.port);
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error("--instances must be between 1 and 16");
  if (!Number.isInteger(port) || port < 1 || port + count > 65535) throw new Error("--port must be a port number");
  const ports = Array.from({ length: count }, (_, i) => port + 1 + i);
  for (const taken of [port, ...ports]) {
    if (await listening(taken)) throw new Error(`port ${taken} is in use; pick others with --port`);
  }
  buildIfMissing();

  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-cluster-"));
  chmodSync(dir, 0o755); // nginx's workers run as another user when started as root
  const running: ManagedProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\n> stopping nginx, the instances, then Redis…");
    for (const process of [...running].reverse()) await process.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    const redis = await startRedis({ dir: path.join(dir, "redis") });
    running.push(redis);
    console.log(`> redis-server on ${redis.url} (pid ${redis.pid})`);
    const databaseFile = path.join(dir, "chat.db");
    // The first one creates and migrates the store; the others join it.
    const instances: ChatInstance[] = [];
    for (const instancePort of ports) {
      const instance = await startInstance({ port: instancePort, databaseFile, redisUrl: redis.url });
      instances.push(instance);
      running.push(instance);
      console.log(`> chat instance on ${instance.url} (pid ${instance.pid})`);
    }
    const nginx = await startNginx({ dir: path.join(dir, "nginx"), port, upstreams: ports });
    running.push(nginx);
    console.log(`> nginx on ${nginx.url} (pid ${nginx.pid})`);
    console.log(`\nThe cluster is up: open http://localhost:${port}  (data in ${dir}; Ctrl-C stops it)\n`);
    for (const process of running) {
      void process.exited.then((code) => {
        if (stopping) return;
        console.error(`${process.name} (pid ${process.pid}) exited with ${code}:\n${process.output().slice(-2000)}`);
      });
    }
  } catch (error) {
    console.error((error as Error).message);
    await stopAll(1);
  }
}

/** The instances serve the production build: make it once if there is none. */
function buildIfMissing(): void {
  if (existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) return;
  console.log("> no production build yet: running next build once…");
  execFileSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
