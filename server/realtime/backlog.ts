import type { ChatService } from "../../lib/chat/chat-service";
import { DELIVERY_ACK_TIMEOUT_MS } from "./notifier";
import type { ChatSocket } from "./types";

/**
 * Sends what waited in the store to this socket only, in order and batch by batch, and records
 * each batch as delivered once the socket acknowledged it. The next batch is read and sent while
 * the acks of the one before are still coming in (at most two batches in flight), so the socket
 * never waits on a store round trip. Other tabs connecting at the same time get their own copy;
 * the conditional update in the store makes each sender hear "delivered" once. Once the last
 * stored message has been sent, `backlog:done` tells the client (a script waits for it before
 * reading its input).
 */
export async function deliverBacklog(socket: ChatSocket, chat: ChatService, username: string): Promise<void> {
  let previous: Promise<void> = Promise.resolve();
  for await (const batch of chat.backlog(username)) {
    if (socket.disconnected) break;
    const delivered = Promise.all(
      batch.map((message) =>
        socket
          .timeout(DELIVERY_ACK_TIMEOUT_MS)
          .emitWithAck("message", { ...message, stored: true })
          .then(
            () => message.id,
            () => undefined, // not acknowledged in time: it stays waiting for the next connection
          ),
      ),
    ).then((acked) =>
      chat.acknowledgeDelivered(
        username,
        acked.filter((id): id is string => id !== undefined),
      ),
    );
    delivered.catch(() => {}); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    await previous;
    previous = delivered;
  }
  if (socket.connected) socket.emit("backlog:done");
  await previous;
}
