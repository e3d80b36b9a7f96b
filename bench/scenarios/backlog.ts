/**
 * A person with a long backlog connects: how long until the last stored message has been received
 * and acked. The baseline relay reads the same undelivered rows with one SQL query and emits them
 * all at once, with no delivery bookkeeping; the app also records every delivery in the store.
 */
import type { BacklogResult } from "../load/protocol";
import { openDatabase } from "../baseline/sqlite";
import type { Scenario } from "./types";

export const backlog: Scenario = {
  name: "backlog",
  async run({ target, databaseFile, fixture, pool, settings, problem }) {
    const { messages, timeoutMs } = settings.backlog;
    const result = await pool.processes[0]!.run<BacklogResult>({
      kind: "backlog",
      url: target.url,
      client: fixture.backlog.reader,
      backlogFlag: target.kind === "baseline",
      expected: messages,
      timeoutMs,
    });
    if (result.received !== messages)
      problem(`backlog (${target.kind}): received ${result.received} of ${messages} stored messages`);
    if (target.kind === "app") {
      const left = await undeliveredAfterAcks(databaseFile, fixture.backlog.reader.username);
      if (left > 0) problem(`backlog: ${left} acked messages were still not marked delivered in the store`);
    }
    return [
      {
        scenario: "backlog",
        metric: `${messages.toLocaleString("en")} stored messages received and acked`,
        unit: "ms",
        value: result.ms,
        better: "lower",
      },
    ];
  },
};

/** Checks that the app recorded the deliveries it was acked for (the store, not just the wire). */
async function undeliveredAfterAcks(databaseFile: string, reader: string): Promise<number> {
  const db = openDatabase(databaseFile, { readonly: true });
  try {
    for (let attempt = 0; ; attempt += 1) {
      const row = db
        .prepare(`SELECT count(*) AS left FROM "Receipt" WHERE "recipient" = ? AND "deliveredAt" IS NULL`)
        .get(reader);
      const left = Number(row?.left ?? 0);
      if (left === 0 || attempt >= 20) return left;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    db.close();
  }
}
