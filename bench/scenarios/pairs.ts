import type { ConnectResult, Pair } from "../load/protocol";
import type { ScenarioContext } from "./types";

/**
 * Pairs the first `count * 2` seeded people (sender, recipient), connects every one of them from
 * the load processes, and returns each process's share of the pairs.
 */
export async function connectPairs(scenario: string, count: number, context: ScenarioContext): Promise<Pair[][]> {
  const { target, fixture, pool, problem } = context;
  const people = fixture.people.slice(0, count * 2);
  const pairs: Pair[] = Array.from({ length: count }, (_, i) => [people[2 * i]!.username, people[2 * i + 1]!.username]);
  const shares = pool.share(pairs);
  const byName = new Map(people.map((client) => [client.username, client]));

  const connected = await pool.all<ConnectResult>((i) => ({
    kind: "connect",
    url: target.url,
    clients: shares[i]!.flat().map((username) => byName.get(username)!),
    concurrency: 50,
    affinityCookie: target.affinityCookie,
  }));
  for (const result of connected)
    if (result.failed) problem(`${scenario}: ${result.failed} sockets failed to connect (${result.firstError})`);
  return shares;
}
