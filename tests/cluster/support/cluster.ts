/**
 * A whole cluster for one test file: Debian's redis-server, chat instances sharing one SQLite file and that Redis,
 * and optionally nginx with deploy/nginx.conf in front — all on 127.0.0.1, in one temporary folder, stopped by PID.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import {
  type ChatInstance,
  freePort,
  type NginxProcess,
  type RedisProcess,
  startInstance,
  startNginx,
  startRedis,
} from "@/scripts/cluster/processes";
import { LIFTED_NGINX_BUDGETS } from "@/scripts/cluster/nginx-config";

/**
 * Short leases and heartbeats so that failures are found in seconds; readings every 200 ms.
 * CLUSTER_TEST_DEFAULT_TIMINGS=1 runs with the shipped defaults instead (5 s leases, 6 s instance timeout),
 * to measure the bounds people get.
 */
export const TEST_SETTINGS = {
  // Steady loads, and many accounts, logins and sockets from one address (nginx's 127.0.0.1): the limits have tests
  // of their own.
  SEND_LIMIT_PER_SOCKET: "1000000,1000000",
  SEND_LIMIT_PER_USER: "1000000,1000000",
  SIGNUPS_PER_ADDRESS: "100000",
  ACCOUNT_REQUESTS_PER_ADDRESS: "1000000,1000000",
  CONNECTS_PER_ADDRESS: "1000000,1000000",
  THERMOMETER_INTERVAL_MS: "200",
  THERMOMETER_REBOOT_MS: "300",
  // Lets a test ask an instance (or nginx, for a session) which instance answers: chat_instance_info.
  METRICS_TOKEN: "cluster-test-metrics-token",
  ...(process.env.CLUSTER_TEST_DEFAULT_TIMINGS
    ? { DEVICE_LEASE_TTL_MS: "5000", INSTANCE_TIMEOUT_MS: "6000" }
    : { DEVICE_LEASE_TTL_MS: "2000", INSTANCE_TIMEOUT_MS: "3000" }),
};

export interface TestCluster {
  dir: string;
  databaseFile: string;
  /** Replaced by restartRedis. */
  redis: RedisProcess;
  instances: ChatInstance[];
  nginx?: NginxProcess;
  /** Starts one more instance (or starts again on a port used before). */
  addInstance(port?: number, env?: Record<string, string>): Promise<ChatInstance>;
  /** Stops Redis (SIGKILL: it keeps nothing) and starts an empty one on the same port after `downMs`. */
  restartRedis(downMs: number): Promise<void>;
  /** A read-only look at the shared store. */
  query<T>(sql: string, ...params: unknown[]): T[];
  /** Which instance printed that it runs thermometer1's job last (and is still running). */
  leader(): ChatInstance | undefined;
  stop(): Promise<void>;
}

export async function startCluster(options: {
  instances: number;
  nginx?: boolean;
  env?: Record<string, string>;
}): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-cluster-test-"));
  chmodSync(dir, 0o755); // nginx's workers run as another user under root
  const databaseFile = path.join(dir, "chat.db");
  const redis = await startRedis({ dir: path.join(dir, "redis") });
  const instances: ChatInstance[] = [];
  const env = { ...TEST_SETTINGS, ...options.env };
  const addInstance = async (port?: number, extra: Record<string, string> = {}) => {
    const instance = await startInstance({
      port: port ?? (await freePort()),
      databaseFile,
      redisUrl: redis.url,
      env: { ...env, ...extra },
    });
    instances.push(instance);
    return instance;
  };
  const cluster: TestCluster = {
    dir,
    databaseFile,
    redis,
    instances,
    addInstance,
    async restartRedis(downMs) {
      const { port } = cluster.redis;
      await cluster.redis.kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      cluster.redis = await startRedis({ dir: path.join(dir, "redis"), port });
    },
    query<T>(sql: string, ...params: unknown[]) {
      const db = new Database(databaseFile, { readonly: true, timeout: 5_000 });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    leader() {
      return instances
        .filter((instance) => instance.running)
        .find((instance) => {
          const output = instance.output();
          return output.lastIndexOf("runs its job now") > output.lastIndexOf("job stopped here");
        });
    },
    async stop() {
      // CLUSTER_TEST_OUTPUT=1 prints what every process said, for a failure that needs it.
      if (process.env.CLUSTER_TEST_OUTPUT) {
        for (const p of [...instances, cluster.redis]) console.log(`── ${p.name} (pid ${p.pid})\n${p.output()}`);
      }
      await cluster.nginx?.stop(5_000);
      await Promise.all(instances.map((instance) => instance.stop(10_000)));
      await cluster.redis.stop(5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // The first instance creates the store; the others join it.
    await addInstance();
    await Promise.all(Array.from({ length: options.instances - 1 }, () => addInstance()));
    if (options.nginx) {
      cluster.nginx = await startNginx({
        dir: path.join(dir, "nginx"),
        port: await freePort(),
        upstreams: instances.map((instance) => instance.port),
        budgets: LIFTED_NGINX_BUDGETS,
      });
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
/**
 * The id of the instance that answers `url` — through nginx with a session's cookie, the instance that session's
 * sockets are sent to (nginx's affinity key is the session cookie).
 */
export async function instanceAnswering(url: string, session?: string): Promise<string> {
  const response = await fetch(`${url}/api/metrics`, {
    headers: {
      authorization: `Bearer ${TEST_SETTINGS.METRICS_TOKEN}`,
      ...(session ? { cookie: `chat_session=${session}` } : {}),
    },
  });
  const id = /chat_instance_info\{instance_id="([^"]+)"\}/.exec(await response.text())?.[1];
  if (!id) throw new Error(`${url} did not say which instance it is (${response.status})`);
  return id;
}

export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
