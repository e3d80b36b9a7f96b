/**
 * Scaling out on one machine: the throughput and latency loads through nginx (deploy/nginx.conf) in front of several
 * instances sharing Redis and one SQLite file (the app side), against one instance alone, clients connected
 * straight to it (the baseline side), in the same run. With `decompose`, the app side also runs one instance behind
 * nginx with Redis, which tells the cost of the proxy and the adapter apart from the effect of more instances.
 *
 * The processes come from scripts/cluster/processes.ts, the spawner of `npm run cluster` and the cluster tests.
 * CPU time per process (from /proc) is read around the throughput load, to show where the cores go.
 */
import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import {
  type ChatInstance,
  freePort,
  type ManagedProcess,
  startInstance,
  startNginx,
  startRedis,
} from "../../scripts/cluster/processes";
import { LIFTED_NGINX_BUDGETS } from "../../scripts/cluster/nginx-config";
import type { Settings } from "../settings";
import { cpuSeconds } from "../support/cpu";
import { residentSetSize, type Target } from "../support/processes";
import { latency } from "./latency";
import { throughput } from "./throughput";
import type { Measurement, OwnServersContext, OwnServersScenario } from "./types";

/** As bench/support/processes.ts explains: the scenarios measure capacity, not the send limits. */
const LIFTED_LIMITS = {
  SEND_LIMIT_PER_SOCKET: "1000000,1000000",
  SEND_LIMIT_PER_USER: "1000000,1000000",
};
/** Lines an instance logs at error or worse (JSON lines, server/log.ts). */
const ERROR_LINES = /"level":"(error|fatal)"/g;
/** An instance that found its heartbeat had expired: its event loop was held up for seconds. */
const TAKEN_FOR_DEAD = /was taken for dead/g;
/** Row labels: the app side's configuration, compared with one instance alone (the baseline column). */
const scaledOut = (instances: number) => `${instances} instances + nginx + Redis vs 1 alone`;
const DECOMPOSED = "1 instance + nginx + Redis vs 1 alone";

interface Setup {
  /** Appended to every metric: which configuration the numbers are for. */
  label: string;
  target: Target;
  instances: ChatInstance[];
  nginx?: ManagedProcess;
  redis?: ManagedProcess;
  stop(): Promise<void>;
}

export const cluster: OwnServersScenario = {
  name: "cluster",
  ownServers: true,
  async run(context) {
    const { settings, kind } = context;
    const { instances } = settings.cluster;
    const configurations =
      kind === "baseline"
        ? [() => alone(context)]
        : [
            () => behindNginx(context, instances),
            ...(settings.cluster.decompose ? [() => behindNginx(context, 1)] : []),
          ];
    const measurements: Measurement[] = [];
    for (const start of configurations) {
      const setup = await start();
      try {
        measurements.push(...(await measure(setup, context)));
      } finally {
        await setup.stop();
      }
      // Overload shows in the logs before it shows as a lost message: counted and reported, not a failure of the
      // run (a message lost or refused is one: the throughput and latency scenarios report those).
      const output = setup.instances.map((instance) => instance.output()).join("\n");
      const count = (pattern: RegExp) => output.match(pattern)?.length ?? 0;
      const logged = (metric: string, value: number): Measurement => ({
        scenario: "cluster",
        metric: `${metric} [${setup.label}]`,
        unit: "lines",
        value,
        better: "lower",
      });
      measurements.push(
        logged("error-level log lines, all instances", count(ERROR_LINES)),
        logged("'taken for dead' (heartbeat held up past INSTANCE_TIMEOUT_MS)", count(TAKEN_FOR_DEAD)),
      );
    }
    if (kind === "baseline" && settings.cluster.decompose) {
      // The same figures of the instance alone, under the names the one-instance-behind-nginx rows carry.
      const alone = measurements.map((m) => ({ ...m, metric: m.metric.replace(/\[[^\]]*\]$/, `[${DECOMPOSED}]`) }));
      measurements.push(...alone);
    }
    return measurements;
  },
};

async function measure(setup: Setup, context: OwnServersContext): Promise<Measurement[]> {
  const { settings } = context;
  const scenarioSettings: Settings = {
    ...settings,
    throughput: settings.cluster.throughput,
    latency: settings.cluster.latency,
  };
  const scenarioContext = { ...context, target: setup.target, settings: scenarioSettings };
  const roles: [string, number[]][] = [
    ["instances", setup.instances.map((instance) => instance.pid)],
    ["nginx", setup.nginx ? [setup.nginx.pid] : []],
    ["Redis", setup.redis ? [setup.redis.pid] : []],
    ["load clients", context.pool.processes.map((load) => load.pid)],
  ];
  const cpuBefore = roles.map(([, pids]) => cpuSeconds(pids));
  const startedAt = performance.now();
  const throughputRows = await throughput.run(scenarioContext);
  const elapsed = (performance.now() - startedAt) / 1000;
  const cores = roles.map(([, pids], i) => (cpuSeconds(pids) - cpuBefore[i]!) / elapsed);
  const latencyRows = await latency.run(scenarioContext);

  const delivered = throughputRows.find((row) => row.metric.startsWith("delivered"))?.value ?? Number.NaN;
  const serverCores = cores.slice(0, 3).reduce((sum, value) => sum + value, 0);
  const rows: Measurement[] = [
    ...throughputRows.filter((row) => row.metric.startsWith("delivered")),
    ...latencyRows.filter((row) => /p50|p99/.test(row.metric)),
    ...roles.map(([role], i) => ({
      scenario: "cluster",
      metric: `cores busy during throughput: ${role}`,
      unit: "cores",
      value: cores[i]!,
      better: "lower" as const,
    })),
    {
      scenario: "cluster",
      metric: "server CPU per delivered message (instances + nginx + Redis)",
      unit: "µs",
      value: (serverCores / delivered) * 1e6,
      better: "lower",
    },
  ];
  return rows.map((row) => ({ ...row, scenario: "cluster", metric: `${row.metric} [${setup.label}]` }));
}

/** One instance as people run it alone: no Redis, no proxy; clients connect straight to it. */
async function alone(context: OwnServersContext): Promise<Setup> {
  const instance = await startInstance({
    port: await freePort(),
    databaseFile: context.databaseFile,
    redisUrl: "", // empty is unset: a single instance
    env: { ...LIFTED_LIMITS, TRUST_PROXY: "0" },
  });
  return {
    // The baseline's rows carry the cluster's label, so that the report puts them side by side.
    label: scaledOut(context.settings.cluster.instances),
    target: targetOf(instance.url, [instance], false),
    instances: [instance],
    stop: async () => {
      await instance.stop(20_000);
    },
  };
}

/** Redis, `count` instances on one SQLite file and nginx in front, as `npm run cluster` starts them. */
async function behindNginx(context: OwnServersContext, count: number): Promise<Setup> {
  const dir = path.join(context.workDir, `cluster-${count}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  chmodSync(context.workDir, 0o755); // nginx's workers run as another user when started as root
  chmodSync(dir, 0o755);
  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const process of [...started].reverse()) await process.stop(20_000).catch(() => undefined);
  };
  try {
    const redis = await startRedis({ dir: path.join(dir, "redis") });
    started.push(redis);
    const instances: ChatInstance[] = [];
    const startOne = async () => {
      const instance = await startInstance({
        port: await freePort(),
        databaseFile: context.databaseFile,
        redisUrl: redis.url,
        env: LIFTED_LIMITS,
      });
      instances.push(instance);
      started.push(instance);
    };
    // The first one opens (and, were it new, migrates) the store; the others join it.
    await startOne();
    await Promise.all(Array.from({ length: count - 1 }, startOne));
    const nginx = await startNginx({
      dir: path.join(dir, "nginx"),
      port: await freePort(),
      upstreams: instances.map((instance) => instance.port),
      // Every bench socket comes through from 127.0.0.1: nginx's handshake budget is lifted as the instances' is
      // (bench/support/processes.ts). No scenario logs in over HTTP.
      budgets: LIFTED_NGINX_BUDGETS,
    });
    started.push(nginx);
    return {
      label: count === 1 ? DECOMPOSED : scaledOut(count),
      target: targetOf(nginx.url, instances, true),
      instances,
      nginx,
      redis,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The Target the throughput and latency scenarios drive: the address clients use, and the instances behind it. */
function targetOf(url: string, instances: ChatInstance[], affinityCookie: boolean): Target {
  return {
    kind: affinityCookie ? "app" : "baseline",
    url,
    pid: instances[0]!.pid,
    affinityCookie,
    output: () => instances.map((instance) => instance.output()).join("\n"),
    async memory() {
      const rss = instances.reduce((sum, instance) => sum + residentSetSize(instance.pid), 0);
      return { rss, heapUsed: Number.NaN, heapTotal: Number.NaN };
    },
    async stop() {
      await Promise.all(instances.map((instance) => instance.stop(20_000)));
    },
  };
}
