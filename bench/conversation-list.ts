/**
 * `npx tsx bench/conversation-list.ts` — how long the conversation list takes in the store, straight
 * against a seeded SQLite file (no server): for the benchmark's history reader (one peer, a
 * 100,000-message conversation, every received message unread) and for someone with many peers.
 *
 *   --history N   messages in the long conversation (default: the full benchmark's)
 *   --peers N     peers of the second person, each with 20 messages (default 300)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { openStore } from "../lib/store";
import { FULL } from "./settings";
import { seedFixture } from "./support/seed";
import { summarise } from "./support/stats";

const { values: args } = parseArgs({
  options: { history: { type: "string" }, peers: { type: "string" } },
});
const HISTORY = Number(args.history ?? FULL.history.messages);
const PEERS = Number(args.peers ?? 300);
const MESSAGES_PER_PEER = 20;
const WARMUP = 5;
const SAMPLES = 40;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-conversations-"));
  try {
    const fixture = await seedFixture(dir, { people: 10, backlogMessages: 1_000, historyMessages: HISTORY });
    const store = await openStore(`file:${fixture.databaseFile}`);
    try {
      const start = Date.now() - 86_400_000;
      for (let peer = 0; peer < PEERS; peer += 1) {
        await Promise.all(
          Array.from({ length: MESSAGES_PER_PEER }, (_, i) =>
            store.messages.saveMessage({
              sender: i % 2 ? "many_peers" : `peer${peer}`,
              destination: i % 2 ? `peer${peer}` : "many_peers",
              message: `message ${i} at ${start}`,
              type: "chat",
            }),
          ),
        );
      }
      for (const [who, label] of [
        [fixture.history.reader.username, `one peer, ${HISTORY.toLocaleString("en")} messages`],
        ["many_peers", `${PEERS} peers × ${MESSAGES_PER_PEER} messages`],
      ] as const) {
        for (let i = 0; i < WARMUP; i += 1) await store.messages.conversations(who);
        const samples: number[] = [];
        let count = 0;
        for (let i = 0; i < SAMPLES; i += 1) {
          const started = performance.now();
          count = (await store.messages.conversations(who)).length;
          samples.push(performance.now() - started);
        }
        const { p50, p95 } = summarise(samples);
        console.log(`${label}: ${count} conversations, p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
      }
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
