/**
 * A session's sockets end with the session. Every socket joins the room of its session (keyed by
 * the token's hash), so logging out, logging out everywhere and expiry reach every socket of that
 * session through the adapter — on every instance once there are several — with nothing kept in a
 * per-process map.
 */
import { errorField, logger } from "../log";
import type { AccountService } from "../../lib/accounts/account-service";
import { runAt } from "./long-timer";
import type { ChatServer, ChatSocket } from "./types";

export const sessionRoom = (key: string) => `session:${key}`;

/** How long to wait before asking the store again when it failed to say whether a session ended. */
const RETRY_LOOKUP_MS = 30_000;

/** From now on, every socket of a session that ends is disconnected at once. */
export function disconnectEndedSessions(io: ChatServer, accounts: AccountService): void {
  accounts.onSessionsEnded((keys) => {
    for (const key of keys) io.in(sessionRoom(key)).disconnectSockets(true);
  });
}

/**
 * Disconnects the socket when its session's time is up. The store is asked again then rather than
 * trusted from the handshake, since a session's end can move (or the session be gone already).
 */
export function disconnectAtExpiry(socket: ChatSocket, accounts: AccountService): void {
  let cancel = runAt(socket.data.sessionExpiresAt, check);
  socket.on("disconnect", () => cancel());

  async function check(): Promise<void> {
    try {
      const session = await accounts.sessionByKey(socket.data.sessionKey);
      if (socket.disconnected) return;
      if (!session) {
        socket.disconnect(true);
        return;
      }
      socket.data.sessionExpiresAt = session.expiresAt.getTime();
      cancel = runAt(socket.data.sessionExpiresAt, check);
    } catch (error) {
      logger.error(errorField(error), "checking a session's end failed:");
      cancel = runAt(Date.now() + RETRY_LOOKUP_MS, check);
    }
  }
}

/**
 * Whether the session this socket authenticated with is still live once the socket is in its
 * session's room. A logout between the handshake's lookup and the join would miss the socket;
 * looking again after the join closes that gap.
 */
export async function stillLoggedIn(socket: ChatSocket, accounts: AccountService): Promise<boolean> {
  return (await accounts.sessionByKey(socket.data.sessionKey)) !== undefined;
}
