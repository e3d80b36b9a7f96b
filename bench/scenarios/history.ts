/**
 * Paging back through a long conversation over HTTP, one request at a time: latency per page. The
 * pages start at the newest one and at cursors spread over the whole conversation, the same for
 * both targets. The baseline answers the same query with hand-written SQL on a bare HTTP server.
 */
import { performance } from "node:perf_hooks";
import { seededRandom, summarise } from "../support/stats";
import type { Scenario } from "./types";

const WARMUP_PAGES = 20;

export const history: Scenario = {
  name: "history",
  async run({ target, fixture, settings, problem }) {
    const { pages, limit } = settings.history;
    const { reader, peer, idsOldestFirst } = fixture.history;
    const random = seededRandom(42);
    const cursors: (string | undefined)[] = [undefined];
    while (cursors.length < pages)
      cursors.push(idsOldestFirst[limit + Math.floor(random() * (idsOldestFirst.length - limit))]);

    const pageUrl = (before: string | undefined) => {
      const query = new URLSearchParams({ with: peer, limit: String(limit), ...(before ? { before } : {}) });
      return target.kind === "app"
        ? `${target.url}/api/messages?${query}`
        : `${target.url}/history?as=${reader.username}&${query}`;
    };
    const fetchPage = async (before: string | undefined) => {
      const response = await fetch(pageUrl(before), { headers: { authorization: `Bearer ${reader.token}` } });
      const body = (await response.json()) as { messages?: unknown[] };
      if (response.status !== 200 || body.messages?.length !== limit) {
        problem(`history (${target.kind}): a page answered ${response.status} with ${body.messages?.length} messages`);
      }
    };

    for (let i = 0; i < WARMUP_PAGES; i += 1) await fetchPage(cursors[i % cursors.length]);
    const samples: number[] = [];
    for (const before of cursors) {
      const started = performance.now();
      await fetchPage(before);
      samples.push(performance.now() - started);
    }
    const summary = summarise(samples);
    const metric = (p: string) => `page of ${limit} from ${idsOldestFirst.length.toLocaleString("en")} messages ${p}`;
    return [
      { scenario: "history", metric: metric("p50"), unit: "ms", value: summary.p50, better: "lower" },
      { scenario: "history", metric: metric("p99"), unit: "ms", value: summary.p99, better: "lower" },
    ];
  },
};
