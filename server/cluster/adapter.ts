/**
 * Socket.IO on Redis: the Redis Streams adapter. Broadcasts and room changes go through a Redis stream, which each
 * instance reads from its last position, so a short Redis outage delays packets instead of dropping them; requests
 * that need answers (`serverSideEmit` with an ack, broadcasts with acks) use Redis PUB/SUB, and the number of
 * instances to wait for is the number subscribed to the adapter's channel (PUBSUB NUMSUB), which drops the moment
 * Redis sees a crashed instance's connection close.
 */
import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { ChatServer } from "../realtime/types";
import type { Redis } from "./redis";

const STREAM = "chat:socket.io";

export function attachRedisAdapter(io: ChatServer, redis: Redis): void {
  const create = createAdapter(quietPublisher(redis), { streamName: STREAM, channelPrefix: STREAM });
  // Socket.IO calls the factory with `new`, so it must be a function, not an arrow (an object it returns wins).
  // biome-ignore lint/complexity/useArrowFunction: constructed with `new` by Socket.IO
  io.adapter(function (namespace: Parameters<typeof create>[0]) {
    const adapter = create(namespace);
    // Socket.IO asks for the instance count inside an emit with acks and does not handle a failure: while Redis is
    // away that would be an unhandled rejection, and the emit's callback would wait for its full timeout. Counting
    // only this instance then is the truth as far as it can know, like every other question during an outage.
    const serverCount = adapter.serverCount.bind(adapter);
    adapter.serverCount = () => serverCount().catch(() => 1);
    return adapter;
  });
}

/**
 * The client as the adapter gets it: the same connection, except that a PUBLISH failing (Redis gone mid-request)
 * counts as handled. The adapter sends requests with PUBLISH and does not wait for it, so a failure would otherwise
 * surface as an unhandled rejection; the request then simply gets no answers and ends at its timeout.
 */
function quietPublisher(redis: Redis): Redis {
  return new Proxy(redis, {
    get(target, property) {
      if (property === "publish") {
        return (...args: Parameters<Redis["publish"]>) => {
          const sent = target.publish(...args);
          sent.catch(() => {});
          return sent;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
