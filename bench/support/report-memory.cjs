// Preloaded (node --require) into the server under test and into the baseline relay, never into
// production: on SIGUSR2 the process prints its own memory use on one line the harness reads.
"use strict";
process.on("SIGUSR2", () => {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  process.stdout.write(`BENCH_MEMORY ${JSON.stringify({ rss, heapUsed, heapTotal, external })}\n`);
});
