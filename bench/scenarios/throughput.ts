/**
 * N sender/recipient pairs, each sender keeping a fixed window of un-acked sends in flight:
 * messages per second that reached their recipient, and that the sender saw acknowledged; and the
 * server's CPU time per delivered message, which a machine shared with other work moves far less
 * than it moves the rate (the load processes and the server compete for the same cores).
 */
import type { ThroughputResult } from "../load/protocol";
import { cpuSeconds } from "../support/cpu";
import { connectPairs } from "./pairs";
import type { Scenario } from "./types";

export const throughput: Scenario = {
  name: "throughput",
  onFloor: true,
  async run(context) {
    const { pool, settings, problem } = context;
    const { pairs: count, window, warmupMs, durationMs } = settings.throughput;
    const shares = await connectPairs("throughput", count, context);

    const cpuBefore = cpuSeconds([context.target.pid]);
    const started = performance.now();
    const results = await pool.all<ThroughputResult>((i) => ({
      kind: "throughput",
      pairs: shares[i]!,
      window,
      warmupMs,
      durationMs,
    }));
    // Warm-up included on both sides: the rate is steady from the first second, so cores used × seconds per message.
    const cores = (cpuSeconds([context.target.pid]) - cpuBefore) / ((performance.now() - started) / 1000);
    await pool.disconnect();
    const seconds = durationMs / 1000;
    const delivered = results.reduce((sum, r) => sum + r.delivered, 0) / seconds;
    const acked = results.reduce((sum, r) => sum + r.acked, 0) / seconds;
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    if (errors) problem(`throughput: ${errors} sends were refused`);
    if (delivered === 0) problem("throughput: nothing was delivered");
    return [
      {
        scenario: "throughput",
        metric: `delivered (${count} pairs, window ${window})`,
        unit: "msg/s",
        value: delivered,
        better: "higher",
      },
      {
        scenario: "throughput",
        metric: `acked (${count} pairs, window ${window})`,
        unit: "msg/s",
        value: acked,
        better: "higher",
      },
      {
        scenario: "throughput",
        metric: "server CPU per delivered message",
        unit: "µs",
        value: delivered > 0 ? (cores / delivered) * 1e6 : 0,
        better: "lower",
      },
    ];
  },
};
