/**
 * The one Redis connection of an instance (the adapter duplicates it for its blocking reads and subscriptions).
 *
 * While Redis is away the client keeps commands in its offline queue and sends them once it is back, which is what
 * lets the Socket.IO adapter ride out a short outage without losing packets. Callers that must not wait that long
 * (presence questions, readiness) put their own time limit on a command (`withTimeout`).
 */
import { logger } from "../log";
import { createClient } from "redis";

export type Redis = ReturnType<typeof createClient>;

const CONNECT_TIMEOUT_MS = 10_000;
/** Reconnect quickly: a restarted Redis is usually back within a second, and every instance waits on it. */
const MAX_RECONNECT_DELAY_MS = 1_000;

export interface RedisConnection {
  client: Redis;
  close(): Promise<void>;
}

export async function connectRedis(url: string, name: string): Promise<RedisConnection> {
  const client: Redis = createClient({
    url,
    name,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  const where = redactedUrl(url);
  let connectedOnce = false;
  let reportedDown = false;
  // One line when Redis goes away and one when it is back, not one per failed reconnect attempt.
  client.on("error", (error: Error) => {
    if (connectedOnce && !reportedDown) logger.error(`Redis at ${where} unreachable: ${error.message}; retrying`);
    reportedDown = true;
  });
  client.on("ready", () => {
    if (!connectedOnce) {
      connectedOnce = true;
      reportedDown = false;
      return;
    }
    if (reportedDown) logger.info(`Redis at ${where} is back`);
    reportedDown = false;
  });

  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not reach Redis at ${where} (REDIS_URL)`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.connect(), giveUp]);
  } catch (error) {
    client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    client,
    async close() {
      // QUIT waits for queued commands; a Redis that is away would keep it waiting, so give up after a moment.
      if (!client.isReady) return client.destroy();
      await withTimeout(client.close(), 2_000).catch(() => client.destroy());
    },
  };
}

/** Rejects when `work` has not settled in `ms`; the command itself may still run later. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The URL without its password, for log lines. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
