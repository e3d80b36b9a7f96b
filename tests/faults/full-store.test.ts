/**
 * A full store in the fault run. The server runs with STORE_MAX_PAGES, and another connection fills the
 * database up to that many pages, so the server's writes fail with SQLITE_FULL exactly as on a full disk
 * (SQLite answers both with that code). For 10 s people send through sockets and HTTP and a reader loads
 * pages; then the filler is dropped (its pages go back to the free list, as when space is freed). Each send
 * is answered at once (stored, or 507 "the store is full: try again later"), nothing is acknowledged that is
 * not stored, pages load, and sends work again without a restart.
 */
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { fillStore, freeStore } from "../support/store-faults";
import { recordFigures } from "./figures";
import { outageFigures, sendThroughOutage } from "./store-outage";

/** 16 MiB in 4 KiB pages: room for the accounts and the first messages, then full. */
const MAX_PAGES = 4096;
const FULL_FOR_MS = 10_000;
/** A full store is not waited for: a refusal comes as fast as any answer, well inside this. */
const ANSWER_BOUND_MS = 2_000;

jest.setTimeout(120_000);

let server: ServerProcess;
beforeAll(async () => {
  server = await startTestServerProcess({ env: { STORE_MAX_PAGES: String(MAX_PAGES) } });
});
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

test("the store fills up for 10 s: a clear 507 at once, nothing falsely acknowledged, pages load, recovery without a restart", async () => {
  let pagesWhenFull = 0;
  const report = await sendThroughOutage(server, {
    senders: 6,
    prefix: "full_",
    outage: {
      lastsMs: FULL_FOR_MS,
      begin: () => {
        pagesWhenFull = fillStore(server.databaseFile, MAX_PAGES);
      },
      end: () => freeStore(server.databaseFile),
    },
  });
  const figures = outageFigures(report);
  recordFigures("store full", { maxPages: MAX_PAGES, pagesWhenFull, fullForMs: FULL_FOR_MS, ...figures });

  expect(pagesWhenFull).toBe(MAX_PAGES);
  expect(report.unanswered).toBe(0);
  expect(report.during.length).toBeGreaterThan(0);
  for (const answer of report.during) {
    if (!answer.ok) expect(answer.error).toBe("the store is full: try again later");
    if (answer.via === "http" && !answer.ok) expect(answer.status).toBe(507);
    expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
  }
  // A message may still fit in room left on a page the store already has; most need a new page.
  expect(report.during.filter((answer) => !answer.ok).length).toBeGreaterThan(report.during.length / 2);
  expect(report.pagesDuring.length).toBeGreaterThan(0);
  expect(report.pagesDuring.every((page) => page.status === 200)).toBe(true);
  expect(report.after.filter((answer) => answer.ok).length).toBeGreaterThan(0);
  expect(report.after.at(-1)?.ok).toBe(true);
  expect({ missing: report.acknowledgedMissing, refusedStored: report.refusedStored, doubled: report.doubled }).toEqual(
    { missing: 0, refusedStored: 0, doubled: 0 },
  );
});
