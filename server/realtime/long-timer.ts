/**
 * setTimeout waits at most 2^31 - 1 ms (about 24.8 days); a longer delay fires at once. Sessions
 * last 30 days, so a timer for a session's end waits in steps of at most that long.
 */
export const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/** Runs `run` at the epoch time `at` (at once if that has passed); returns a function that cancels it. */
export function runAt(at: number, run: () => void, now: () => number = Date.now): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    const wait = at - now();
    timer = wait > LONGEST_TIMEOUT_MS ? setTimeout(arm, LONGEST_TIMEOUT_MS) : setTimeout(run, Math.max(0, wait));
    // A pending session end alone is no reason to keep the process alive.
    timer.unref?.();
  };
  arm();
  return () => clearTimeout(timer);
}
