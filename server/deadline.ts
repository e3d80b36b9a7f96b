/**
 * An overall deadline for shutdown: each step has its own bound or none (closing the HTTP server
 * waits for every open request, and a request whose headers never end holds it for minutes), so
 * the whole sequence is raced against one timer.
 */
export function withDeadline(work: Promise<void>, ms: number, onDeadline: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onDeadline();
      reject(new Error(`shutdown did not finish within ${ms} ms; open connections were cut`));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
