/**
 * N sender/recipient pairs, each sender keeping a fixed window of un-acked sends in flight:
 * messages per second that reached their recipient, and that the sender saw acknowledged.
 */
import type { ThroughputResult } from "../load/protocol";
import { connectPairs } from "./pairs";
import type { Scenario } from "./types";

export const throughput: Scenario = {
  name: "throughput",
  onFloor: true,
  async run(context) {
    const { pool, settings, problem } = context;
    const { pairs: count, window, warmupMs, durationMs } = settings.throughput;
    const shares = await connectPairs("throughput", count, context);

    const results = await pool.all<ThroughputResult>((i) => ({
      kind: "throughput",
      pairs: shares[i]!,
      window,
      warmupMs,
      durationMs,
    }));
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
    ];
  },
};
