/**
 * A busy store in the fault run: another process holds SQLite's write lock for 10 s while people send
 * through sockets and HTTP and a reader loads pages. Each send is answered within STORE_BUSY_TIMEOUT_MS
 * (stored, or "the store is busy: try again"), nothing is acknowledged that is not stored, pages load,
 * and sends work again by themselves once the lock is released.
 */
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { holdWriteLock, type Lock } from "../support/store-faults";
import { recordFigures } from "./figures";
import { outageFigures, sendThroughOutage } from "./store-outage";

const BUSY_TIMEOUT_MS = 2_000;
const LOCK_HELD_MS = 10_000;
/** Room for a send that was queued behind its group-commit batch and for the answer's way back. */
const SLACK_MS = 1_500;

jest.setTimeout(120_000);

let server: ServerProcess;
beforeAll(async () => {
  server = await startTestServerProcess({ env: { STORE_BUSY_TIMEOUT_MS: String(BUSY_TIMEOUT_MS) } });
});
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

test("another process holds the write lock for 10 s: clear errors in time, nothing falsely acked, pages load, it recovers", async () => {
  let lock: Lock | undefined;
  const report = await sendThroughOutage(server, {
    senders: 6,
    prefix: "busy_",
    outage: {
      lastsMs: LOCK_HELD_MS,
      // Released by the outage's end; the lock's own timer is only a backstop.
      begin: () => {
        lock = holdWriteLock(server.databaseFile, 2 * LOCK_HELD_MS);
      },
      end: () => lock!.release(),
    },
  });
  const figures = outageFigures(report);
  recordFigures("store busy", { storeBusyTimeoutMs: BUSY_TIMEOUT_MS, lockHeldMs: LOCK_HELD_MS, ...figures });

  expect(report.unanswered).toBe(0);
  expect(report.during.length).toBeGreaterThan(0);
  for (const answer of report.during) {
    if (!answer.ok) expect(answer.error).toBe("the store is busy: try again");
    if (answer.via === "http" && !answer.ok) expect(answer.status).toBe(503);
    expect(answer.ms).toBeLessThan(BUSY_TIMEOUT_MS + SLACK_MS);
  }
  expect(report.during.some((answer) => !answer.ok)).toBe(true);
  expect(report.pagesDuring.length).toBeGreaterThan(0);
  expect(report.pagesDuring.every((page) => page.status === 200)).toBe(true);
  expect(report.after.filter((answer) => answer.ok).length).toBeGreaterThan(0);
  expect(report.after.at(-1)?.ok).toBe(true);
  expect({ missing: report.acknowledgedMissing, refusedStored: report.refusedStored, doubled: report.doubled }).toEqual(
    { missing: 0, refusedStored: 0, doubled: 0 },
  );
});
