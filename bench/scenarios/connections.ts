/**
 * Idle authenticated sockets, ramped up in steps: the server's memory at each step (RSS from
 * /proc, heap as the process reports it) and how long each step took to connect.
 */
import type { ConnectResult } from "../load/protocol";
import { summarise } from "../support/stats";
import type { Measurement, Scenario } from "./types";

const MiB = 1024 * 1024;
const SETTLE_MS = 2_000;
const label = (count: number) => (count >= 1000 && count % 1000 === 0 ? `${count / 1000}k` : String(count));

export const connections: Scenario = {
  name: "connections",
  async run({ target, fixture, pool, settings, problem }) {
    const { steps, concurrency, budgetMs } = settings.connections;
    const measurements: Measurement[] = [];
    const row = (metric: string, unit: string, value: number): Measurement => ({
      scenario: "connections",
      metric,
      unit,
      value,
      better: "lower",
    });
    const idle = await target.memory();
    measurements.push(row("RSS before any socket", "MiB", idle.rss / MiB));

    let connectedSoFar = 0;
    let rampMs = 0;
    for (const step of steps) {
      const shares = pool.share(fixture.people.slice(connectedSoFar, step));
      const deadlineMs = budgetMs - rampMs;
      const results = await pool.all<ConnectResult>((i) => ({
        kind: "connect",
        url: target.url,
        clients: shares[i]!,
        concurrency,
        deadlineMs,
      }));
      for (const result of results)
        if (result.failed) problem(`connections: ${result.failed} sockets failed to connect (${result.firstError})`);
      const stepMs = Math.max(...results.map((r) => r.totalMs));
      rampMs += stepMs;
      const perSocket = summarise(results.flatMap((r) => r.connectMs));
      connectedSoFar += results.reduce((sum, r) => sum + r.connectMs.length, 0);
      if (connectedSoFar < step) {
        // Out of time: say how far the ramp got and what the server looked like there.
        const memory = await target.memory();
        measurements.push(
          {
            scenario: "connections",
            metric: `sockets connected within ${budgetMs / 1000} s (goal ${label(step)})`,
            unit: "sockets",
            value: connectedSoFar,
            better: "higher",
          },
          row(`RSS when the ramp ran out of time`, "MiB", memory.rss / MiB),
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS)); // presence updates and GC settle
      const memory = await target.memory();
      measurements.push(
        row(`RSS @${label(step)} sockets`, "MiB", memory.rss / MiB),
        row(`heap used @${label(step)} sockets`, "MiB", memory.heapUsed / MiB),
        row(`connect p99 per socket, step to ${label(step)}`, "ms", perSocket.p99),
      );
    }
    if (connectedSoFar >= steps.at(-1)!)
      measurements.push(row(`time to connect ${label(connectedSoFar)} sockets`, "s", rampMs / 1000));
    await pool.disconnect();
    return measurements;
  },
};
