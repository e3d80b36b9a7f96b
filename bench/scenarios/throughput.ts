/**
 * N sender/recipient pairs, each sender keeping a fixed window of un-acked sends in flight:
 * messages per second that reached their recipient, and that the sender saw acknowledged.
 */
import type { ConnectResult, Pair, ThroughputResult } from "../load/protocol";
import type { Scenario } from "./types";

export const throughput: Scenario = {
  name: "throughput",
  async run({ target, fixture, pool, settings, problem }) {
    const { pairs: count, window, warmupMs, durationMs } = settings.throughput;
    const people = fixture.people.slice(0, count * 2);
    const pairs: Pair[] = Array.from({ length: count }, (_, i) => [people[2 * i]!.username, people[2 * i + 1]!.username]);
    const shares = pool.share(pairs);
    const byName = new Map(people.map((client) => [client.username, client]));

    const connected = await pool.all<ConnectResult>((i) => ({
      kind: "connect",
      url: target.url,
      clients: shares[i]!.flat().map((username) => byName.get(username)!),
      concurrency: 50,
    }));
    for (const result of connected) if (result.failed) problem(`throughput: ${result.failed} sockets failed to connect (${result.firstError})`);

    const results = await pool.all<ThroughputResult>((i) => ({ kind: "throughput", pairs: shares[i]!, window, warmupMs, durationMs }));
    await pool.disconnect();
    const seconds = durationMs / 1000;
    const delivered = results.reduce((sum, r) => sum + r.delivered, 0) / seconds;
    const acked = results.reduce((sum, r) => sum + r.acked, 0) / seconds;
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    if (errors) problem(`throughput: ${errors} sends were refused`);
    if (delivered === 0) problem("throughput: nothing was delivered");
    return [
      { scenario: "throughput", metric: `delivered (${count} pairs, window ${window})`, unit: "msg/s", value: delivered, better: "higher" },
      { scenario: "throughput", metric: `acked (${count} pairs, window ${window})`, unit: "msg/s", value: acked, better: "higher" },
    ];
  },
};
