/**
 * Socket.IO on the app's HTTP server: one auth middleware, one room per user (so every tab gets
 * every message), and thin event handlers that call ChatService.
 */
import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { tokenFromCookieHeader } from "../../lib/auth";
import type { ChatService } from "../../lib/chat";
import type { AppServices } from "../../lib/registry";
import { ChatError } from "../../lib/errors";
import { typingSchema } from "../../lib/protocol";
import { DELIVERY_ACK_TIMEOUT_MS, SocketNotifier, userRoom } from "./notifier";
import type { InFlight } from "../in-flight";

export function createSocketServer(httpServer: HttpServer): Server {
  return new Server(httpServer, {
    // Leave upgrade requests that are not Socket.IO's (Next's dev reload socket) to their own handler.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
  });
}

export { SocketNotifier };

export function attachChatHandlers(io: Server, { chat, devices }: AppServices, inFlight: InFlight): void {
  io.use(async (socket, next) => {
    try {
      const auth = socket.handshake.auth as { token?: unknown };
      const token =
        typeof auth.token === "string" ? auth.token : tokenFromCookieHeader(socket.handshake.headers.cookie);
      const username = await chat.authenticate(token);
      if (!username) return next(new Error("unauthorized"));
      socket.data.username = username;
      next();
    } catch (error) {
      console.error("socket authentication failed:", error);
      next(new Error("server error"));
    }
  });

  io.on("connection", (socket) => {
    const username: string = socket.data.username;
    // Handlers first, so nothing the client sends right after connecting is missed.
    onRequest(socket, inFlight, "message:send", (payload) => chat.send(username, payload, socket.id));
    onRequest(socket, inFlight, "check", async () => ({ messages: await chat.check(username) }));
    onRequest(socket, inFlight, "message:read", async (payload) => ({ ids: await chat.markRead(username, payload) }));
    socket.on("typing", (payload: unknown) => {
      const parsed = typingSchema.safeParse(payload);
      if (parsed.success && parsed.data.destination !== username) {
        io.to(userRoom(parsed.data.destination)).emit("typing", { username, typing: parsed.data.typing });
      }
    });
    socket.on("disconnect", () => inFlight.track(chat.presenceChanged(username)).catch(logFailure("presence")));

    socket.join(userRoom(username));
    const joinSubscriptions = devices.roomsFor(username).then((rooms) => socket.join(rooms));
    inFlight
      .track(
        Promise.all([joinSubscriptions, chat.presenceChanged(username)]).then(() =>
          deliverBacklog(socket, chat, username),
        ),
      )
      .catch(logFailure(`connecting ${username}`));
  });
}

/**
 * Sends what waited in the store to this socket only, in order and batch by batch, and records
 * each batch as delivered once the socket acknowledged it. The next batch is read and sent while
 * the acks of the one before are still coming in (at most two batches in flight), so the socket
 * never waits on a store round trip. Other tabs connecting at the same time get their own copy;
 * the conditional update in the store makes each sender hear "delivered" once.
 */
async function deliverBacklog(socket: Socket, chat: ChatService, username: string): Promise<void> {
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
  await previous;
}

/** An event with an acknowledgement: `{ok: true, ...result}` or `{ok: false, error}`. */
function onRequest(
  socket: Socket,
  inFlight: InFlight,
  event: string,
  handler: (payload: unknown) => Promise<object>,
): void {
  socket.on(event, (...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (typeof ack !== "function") return; // every request event is answered through its ack
    const payload = args.length > 1 ? args[0] : undefined;
    inFlight.track(handler(payload)).then(
      (result) => ack({ ok: true, ...result }),
      (error: unknown) => {
        if (ChatError.is(error)) return ack({ ok: false, error: error.message });
        console.error(`${event} failed:`, error);
        ack({ ok: false, error: "internal error, please retry" });
      },
    );
  });
}

function logFailure(what: string) {
  return (error: unknown) => console.error(`${what} failed:`, error);
}
