/** How big each scenario is: the full benchmark, and the smoke run CI uses (`--quick`). */

export interface Settings {
  runs: number;
  loadProcesses: number;
  /** A fresh server (and database copy) per scenario keeps scenarios from skewing each other; the smoke run shares one to stay fast. */
  serverPerScenario: boolean;
  throughput: { pairs: number; window: number; warmupMs: number; durationMs: number };
  latency: { clients: number; rates: number[]; warmupMs: number; durationMs: number };
  /** `budgetMs` bounds the whole ramp; a ramp that runs out reports how far it got. */
  connections: { steps: number[]; concurrency: number; budgetMs: number };
  backlog: { messages: number; timeoutMs: number };
  history: { messages: number; pages: number; limit: number };
  /** One message at a time to a group of `members`, all online. */
  group: { members: number; messages: number };
  /**
   * Several instances behind nginx with Redis against one instance alone, in the same run: the throughput and
   * latency scenarios' loads through each. `decompose` also runs one instance behind nginx with Redis, which
   * separates what the proxy and the adapter cost from what more instances bring.
   */
  cluster: {
    instances: number;
    decompose: boolean;
    throughput: Settings["throughput"];
    latency: Settings["latency"];
  };
}

export const FULL: Settings = {
  runs: 3,
  loadProcesses: 2,
  serverPerScenario: true,
  throughput: { pairs: 50, window: 8, warmupMs: 2_000, durationMs: 8_000 },
  latency: { clients: 1_000, rates: [500, 2_000], warmupMs: 2_000, durationMs: 8_000 },
  connections: { steps: [1_000, 5_000, 10_000], concurrency: 100, budgetMs: 150_000 },
  backlog: { messages: 10_000, timeoutMs: 60_000 },
  history: { messages: 100_000, pages: 300, limit: 50 },
  group: { members: 100, messages: 200 },
  cluster: {
    instances: 3,
    decompose: true,
    throughput: { pairs: 50, window: 8, warmupMs: 2_000, durationMs: 8_000 },
    // Below what every configuration carries on 2 shared cores, so the figure is latency, not a queue.
    latency: { clients: 400, rates: [250], warmupMs: 2_000, durationMs: 8_000 },
  },
};

export const QUICK: Settings = {
  runs: 1,
  loadProcesses: 2,
  serverPerScenario: false,
  throughput: { pairs: 4, window: 4, warmupMs: 300, durationMs: 1_000 },
  latency: { clients: 40, rates: [200], warmupMs: 300, durationMs: 1_000 },
  connections: { steps: [50, 100], concurrency: 20, budgetMs: 20_000 },
  backlog: { messages: 300, timeoutMs: 15_000 },
  history: { messages: 2_000, pages: 20, limit: 50 },
  group: { members: 100, messages: 20 },
  cluster: {
    instances: 3,
    decompose: false,
    throughput: { pairs: 4, window: 4, warmupMs: 300, durationMs: 1_000 },
    latency: { clients: 20, rates: [100], warmupMs: 300, durationMs: 1_000 },
  },
};

/** Enough seeded people for the largest scenario. */
export function peopleNeeded(settings: Settings): number {
  return Math.max(
    settings.connections.steps.at(-1) ?? 0,
    settings.latency.clients,
    settings.throughput.pairs * 2,
    settings.cluster.latency.clients,
    settings.cluster.throughput.pairs * 2,
    settings.group.members + 1,
  );
}
