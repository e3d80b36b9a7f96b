/**
 * Socket.IO on the app's HTTP server: one auth middleware, one room per user (so every tab gets
 * every message), and thin event handlers that call the services.
 */
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { AppContext } from "../../lib/app-context";
import { tokenFromCookieHeader } from "../../lib/auth";
import { typingSchema } from "../../lib/protocol";
import type { InFlight } from "../in-flight";
import { deliverBacklog } from "./backlog";
import { SocketNotifier, userRoom } from "./notifier";
import { onRequest } from "./requests";
import type { ChatServer } from "./types";

export { SocketNotifier };

export function createSocketServer(httpServer: HttpServer): ChatServer {
  return new Server(httpServer, {
    // Leave upgrade requests that are not Socket.IO's (Next's dev reload socket) to their own handler.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
  });
}

export function attachChatHandlers(io: ChatServer, { accounts, chat, devices }: AppContext, inFlight: InFlight): void {
  io.use(async (socket, next) => {
    try {
      const auth = socket.handshake.auth as { token?: unknown };
      const token =
        typeof auth.token === "string" ? auth.token : tokenFromCookieHeader(socket.handshake.headers.cookie);
      const username = await accounts.authenticate(token);
      if (!username) return next(new Error("unauthorized"));
      socket.data.username = username;
      next();
    } catch (error) {
      console.error("socket authentication failed:", error);
      next(new Error("server error"));
    }
  });

  io.on("connection", (socket) => {
    const { username } = socket.data;
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

function logFailure(what: string) {
  return (error: unknown) => console.error(`${what} failed:`, error);
}
