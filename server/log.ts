/**
 * The server's one logger: JSON lines on stdout (pino), each with the time, the level's name, the message and the
 * instance id — the same id the cluster registers this process under in Redis, so a line found in the logs names
 * the instance to look at. LOG_LEVEL sets the level (server/config.ts). In development on a terminal, and only if
 * pino-pretty is installed (a development dependency), lines are printed readable instead; anywhere else, JSON.
 * The domain (lib/) logs through lib/log.ts, which this module points at the same logger.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import pino, { type DestinationStream, type Logger } from "pino";
import { installLogger } from "../lib/log";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** This process among the instances of a cluster (hostname, PID and a random part, since PIDs repeat in containers). */
export const INSTANCE_ID = `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;

function prettyStream(): DestinationStream | undefined {
  if (process.env.NODE_ENV === "production" || !process.stdout.isTTY) return undefined;
  try {
    // Optional: a development dependency, absent from a production install.
    const pretty = require("pino-pretty") as (options: object) => DestinationStream;
    return pretty({ colorize: true, ignore: "pid,hostname", translateTime: "SYS:HH:MM:ss.l" });
  } catch {
    return undefined;
  }
}

export const logger: Logger = pino(
  {
    level: "info",
    base: { instance: INSTANCE_ID },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  prettyStream() ?? pino.destination({ dest: 1, sync: true }),
);

/** Sets the level once the configuration is read (LOG_LEVEL). */
export function setLogLevel(level: LogLevel): void {
  logger.level = level;
}

/** An error as a field pino serialises with its stack; anything else as it is. */
export function errorField(error: unknown): { err: unknown } {
  return { err: error };
}

installLogger({
  info: (message) => logger.info(message),
  warn: (message, error) => (error === undefined ? logger.warn(message) : logger.warn(errorField(error), message)),
  error: (message, error) => (error === undefined ? logger.error(message) : logger.error(errorField(error), message)),
});
