/**
 * A fixed offered load spread over many connected clients: how long from `message:send` until the
 * recipient has the message, and until the sender has its ack.
 */
import type { ConnectResult, LatencyResult, Pair } from "../load/protocol";
import { summarise } from "../support/stats";
import type { Measurement, Scenario } from "./types";

export const latency: Scenario = {
  name: "latency",
  async run({ target, fixture, pool, settings, problem }) {
    const { clients, rates, warmupMs, durationMs } = settings.latency;
    const people = fixture.people.slice(0, clients);
    const pairs: Pair[] = Array.from({ length: Math.floor(clients / 2) }, (_, i) => [people[2 * i]!.username, people[2 * i + 1]!.username]);
    const shares = pool.share(pairs);
    const byName = new Map(people.map((client) => [client.username, client]));

    const connected = await pool.all<ConnectResult>((i) => ({
      kind: "connect",
      url: target.url,
      clients: shares[i]!.flat().map((username) => byName.get(username)!),
      concurrency: 50,
    }));
    for (const result of connected) if (result.failed) problem(`latency: ${result.failed} sockets failed to connect (${result.firstError})`);

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
      if (missing > 0) problem(`latency @${rate}/s: ${missing} of ${sent} messages were not received within 2 s of the end`);
      const at = `@${rate}/s, ${clients} clients`;
      const row = (metric: string, value: number): Measurement => ({ scenario: "latency", metric: `${metric} ${at}`, unit: "ms", value, better: "lower" });
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
