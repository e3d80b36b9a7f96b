/** A timer for a moment further away than setTimeout can wait (about 24.8 days). */
import { runAt } from "@/server/realtime/long-timer";

const DAY = 24 * 60 * 60 * 1000;

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test("30 days away runs after 30 days, not at once and not after 24.8", () => {
  const run = jest.fn();
  runAt(30 * DAY, run);
  jest.advanceTimersByTime(1_000);
  expect(run).not.toHaveBeenCalled();
  jest.advanceTimersByTime(25 * DAY);
  expect(run).not.toHaveBeenCalled();
  jest.advanceTimersByTime(5 * DAY - 1_001);
  expect(run).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(run).toHaveBeenCalledTimes(1);
});

test("a moment already past runs on the next turn; cancel stops it, also after a re-arm", () => {
  const past = jest.fn();
  runAt(-5, past);
  jest.advanceTimersByTime(0);
  expect(past).toHaveBeenCalledTimes(1);

  const cancelled = jest.fn();
  const cancel = runAt(60 * DAY, cancelled);
  jest.advanceTimersByTime(30 * DAY);
  cancel();
  jest.advanceTimersByTime(60 * DAY);
  expect(cancelled).not.toHaveBeenCalled();
});
