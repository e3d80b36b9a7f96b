/**
 * A fixed offered load spread over many connected clients: how long from `message:send` until the
 * recipient has the message, and until the sender has its ack.
 */
import type { LatencyResult } from "../load/protocol";
import { connectPairs } from "./pairs";
import { summarise } from "../support/stats";
import type { Measurement, Scenario } from "./types";

export const latency: Scenario = {
  name: "latency",
  onFloor: true,
  async run(context) {
    const { pool, settings, problem } = context;
    const { clients, rates, warmupMs, durationMs } = settings.latency;
    const shares = await connectPairs("latency", Math.floor(clients / 2), context);

    const measurements: Measurement[] = [];
    for (const rate of rates) {
      const results = await pool.all<LatencyResult>((i) => ({
        kind: "latency",
        pairs: shares[i]!,
        ratePerSec: rate / pool.processes.length,
        warmupMs,
        durationMs,
      }));
      const receive = summarise(results.flatMap((r) => r.receiveMs));
      const ack = summarise(results.flatMap((r) => r.ackMs));
      const sent = results.reduce((sum, r) => sum + r.sent, 0);
      const errors = results.reduce((sum, r) => sum + r.errors, 0);
      if (errors) problem(`latency @${rate}/s: ${errors} sends were refused`);
      const missing = sent - receive.count;
      if (missing > 0)
        problem(`latency @${rate}/s: ${missing} of ${sent} messages were not received within 2 s of the end`);
      const at = `@${rate}/s, ${clients} clients`;
      const row = (metric: string, value: number): Measurement => ({
        scenario: "latency",
        metric: `${metric} ${at}`,
        unit: "ms",
        value,
        better: "lower",
      });
      measurements.push(
        row("send→receive p50", receive.p50),
        row("send→receive p95", receive.p95),
        row("send→receive p99", receive.p99),
        row("send→ack p50", ack.p50),
        row("send→ack p95", ack.p95),
        row("send→ack p99", ack.p99),
      );
    }
    await pool.disconnect();
    return measurements;
  },
};
