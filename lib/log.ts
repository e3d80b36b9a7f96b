/**
 * Where the domain writes what it has to report (a background job that failed, a write that was lost). The domain
 * knows no logging library: the server installs its logger here (server/log.ts, JSON lines with the instance id),
 * and until it does — in unit tests, in scripts — lines go to the console. The logger is kept under a global key
 * because Next bundles route handlers apart from the server's modules, so a module-level one would exist twice.
 */
export interface DomainLogger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

const LOGGER = Symbol.for("p2p-chat.logger");
type WithLogger = typeof globalThis & { [LOGGER]?: DomainLogger };

const consoleLogger: DomainLogger = {
  info: (message) => console.log(message),
  warn: (message, error) => (error === undefined ? console.warn(message) : console.warn(message, error)),
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
};

export function installLogger(logger: DomainLogger | undefined): void {
  (globalThis as WithLogger)[LOGGER] = logger;
}

/** The installed logger, looked up at each call so that a logger installed later is used. */
export const log: DomainLogger = {
  info: (message) => current().info(message),
  warn: (message, error) => current().warn(message, error),
  error: (message, error) => current().error(message, error),
};

function current(): DomainLogger {
  return (globalThis as WithLogger)[LOGGER] ?? consoleLogger;
}
