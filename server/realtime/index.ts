/**
 * Socket.IO on the app's HTTP server: one auth middleware, one room per user (so every tab gets
 * every message) and one per session (so ending a session reaches its sockets), the limits only a
 * socket has, and thin event handlers that call the services.
 */
import { errorField, logger } from "../log";
import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { AppContext } from "../../lib/app-context";
import { tokenFromCookieHeader } from "../../lib/accounts/auth";
import type { InFlight } from "../../lib/in-flight";
import { deliverBacklog } from "./backlog";
import { paceHandshakes, refuseHandshakeFloods } from "./handshake";
import type { SocketLimitSettings } from "../config";
import { arrivalTime, SocketLimits } from "./limits";
import { SocketNotifier, userRoom } from "./notifier";
import { onRequest } from "./requests";
import { disconnectAtExpiry, disconnectEndedSessions, sessionRoom, stillLoggedIn } from "./sessions";
import { type ChatServer, type ChatSocket, handshakeRefusal } from "./types";

export { SocketNotifier };

export function createSocketServer(httpServer: HttpServer): ChatServer {
  return new Server(httpServer, {
    // Leave upgrade requests that are not Socket.IO's (Next's dev reload socket) to their own handler.
    destroyUpgrade: false,
    maxHttpBufferSize: 64 * 1024,
  });
}

export function attachChatHandlers(
  io: ChatServer,
  { accounts, chat, devices }: AppContext,
  inFlight: InFlight,
  settings: SocketLimitSettings,
): void {
  const socketLimits = new SocketLimits(settings);
  disconnectEndedSessions(io, accounts);

  // Before the session lookup below, which is most of what a handshake costs.
  refuseHandshakeFloods(io, settings.connectsPerAddress);
  paceHandshakes(io);
  io.use(async (socket, next) => {
    try {
      const auth = socket.handshake.auth as { token?: unknown };
      const token =
        typeof auth.token === "string" ? auth.token : tokenFromCookieHeader(socket.handshake.headers.cookie);
      const session = await accounts.session(token);
      if (!session) return next(handshakeRefusal("unauthorized", "unauthorized"));
      const overCap = await socketLimits.refuseOverCap(io, session.username, userRoom(session.username));
      if (overCap) return next(overCap);
      socket.data.username = session.username;
      socket.data.sessionKey = session.key;
      socket.data.sessionExpiresAt = session.expiresAt.getTime();
      socket.data.arrival = arrivalTime();
      next();
    } catch (error) {
      logger.error(errorField(error), "socket authentication failed:");
      next(handshakeRefusal("server error", "internal"));
    }
  });

  io.on("connection", (socket) => {
    const { username, sessionKey } = socket.data;
    const own = socketLimits.forSocket(socket, username, inFlight);
    // Handlers first, so nothing the client sends right after connecting is missed.
    // The chat takes from the person's allowance itself; a send also takes from this connection's, together.
    onRequest(socket, inFlight, "message:send", (payload) =>
      own.send((allowance) => chat.send(username, payload, { socketId: socket.id, allowance })),
    );
    onRequest(socket, inFlight, "check", (payload) => chat.check(username, payload));
    onRequest(socket, inFlight, "message:read", async (payload) => ({ ids: await chat.markRead(username, payload) }));
    socket.on("typing", (payload: unknown) => {
      if (!own.typingAllowed()) return;
      inFlight.track(chat.typing(username, payload)).catch(logFailure("typing"));
    });
    // Group messages this socket has (they come in one room broadcast, without an ack): recorded as delivered.
    socket.on("message:received", (payload: unknown) => {
      if (!own.receivedAllowed()) return;
      inFlight.track(chat.received(username, payload)).catch(() => {}); // a bad payload changes nothing
    });
    socket.on("disconnect", () => inFlight.track(chat.presenceChanged(username)).catch(logFailure("presence")));

    socket.join([userRoom(username), sessionRoom(sessionKey)]);
    disconnectAtExpiry(socket, accounts);
    // In its rooms now, the socket looks again at what the handshake checked before anything is sent to it.
    const admitted = Promise.all([
      socketLimits.withinCap(io, socket, userRoom(username)),
      stillLoggedIn(socket, accounts),
    ]).then(([withinCap, loggedIn]) => {
      if (!withinCap) {
        const { socketsPerUser } = socketLimits.settings;
        socket.emit("warning", {
          code: "too-many-connections",
          message: `too many connections: ${username} has more than ${socketsPerUser} open; this one is closed`,
        });
      }
      if (!withinCap || !loggedIn) socket.disconnect(true);
      return withinCap && loggedIn;
    });
    const joinSubscriptions = devices.roomsFor(username).then((rooms) => socket.join(rooms));
    const joinGroups = joinGroupRooms(socket, chat, username);
    inFlight
      .track(
        Promise.all([admitted, joinSubscriptions, joinGroups, chat.presenceChanged(username)]).then(([ok]) =>
          ok ? deliverBacklog(socket, chat, username) : undefined,
        ),
      )
      .catch(logFailure(`connecting ${username}`));
  });
}

/**
 * The socket joins the rooms of its person's groups. A removal can fall between reading the groups and joining
 * (the removal's socketsLeave would then miss this socket), so the groups are read again once joined and any room
 * of a group left meanwhile is left. Being added meanwhile needs nothing: socketsJoin reaches the person's room.
 */
async function joinGroupRooms(socket: ChatSocket, chat: AppContext["chat"], username: string): Promise<void> {
  const rooms = await chat.groups.roomsFor(username);
  if (rooms.length === 0) return;
  socket.join(rooms);
  const still = new Set(await chat.groups.roomsFor(username));
  for (const room of rooms) if (!still.has(room)) socket.leave(room);
}

function logFailure(what: string) {
  return (error: unknown) => logger.error(errorField(error), `${what} failed:`);
}
