/**
 * AccountService: claiming a username, logging in and out, and turning a session token back into
 * a username. The one code path for accounts, whether the login comes from the page, the HTTP API
 * or the terminal client; the socket layer and route handlers authenticate through it.
 */
import {
  hashPassword,
  hashSessionToken,
  loginLockMs,
  newSessionToken,
  SESSION_LIFETIME_MS,
  verifyPassword,
} from "./auth";
import { ChatError } from "./errors";
import { loginSchema, parsePayload as parse } from "./protocol";
import type { AccountStore, StoredUser } from "./store";

export interface Session {
  username: string;
  token: string;
  /** True when this login claimed the username. */
  created: boolean;
}

/** A live session as the socket layer sees it: whose it is, its key (the token's hash) and its end. */
export interface LiveSession {
  username: string;
  key: string;
  expiresAt: Date;
}

/** Told the keys of sessions that just ended, so their live sockets can be disconnected. */
export type SessionsEndedListener = (keys: string[]) => void;

export class AccountService {
  private readonly sessionsEndedListeners = new Set<SessionsEndedListener>();

  constructor(
    private readonly store: AccountStore,
    /** Names nobody may claim, in any capitalisation (the devices'). */
    private readonly isReservedName: (username: string) => boolean,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Logs in, claiming the username with this password if nobody has it yet. */
  async login(payload: unknown): Promise<Session> {
    const { username, password } = parse(loginSchema, payload);
    if (this.isReservedName(username)) throw new ChatError(403, `'${username}' is a device name and cannot be claimed`);

    let user = await this.store.findUser(username);
    let created = false;
    if (!user) {
      const claimed = await this.store.createUser(username, await hashPassword(password));
      created = claimed !== undefined;
      user = claimed ?? (await this.store.findUser(username)); // lost a race to claim it: check against the winner
    }
    if (!user) throw new ChatError(401, "wrong username or password");
    if (!created) await this.checkPassword(user, password);
    const token = newSessionToken();
    await this.store.createSession(
      user.id,
      hashSessionToken(token),
      new Date(this.now().getTime() + SESSION_LIFETIME_MS),
    );
    return { username, token, created };
  }

  /** Verifies a login against a claimed name, counting wrong passwords and refusing while it is locked. */
  private async checkPassword(user: StoredUser, password: string): Promise<void> {
    const now = this.now();
    if (user.lockedUntil && user.lockedUntil > now) {
      const seconds = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
      throw new ChatError(429, `too many wrong passwords for '${user.username}': try again in ${seconds} s`);
    }
    if (await verifyPassword(password, user.passwordHash)) {
      if (user.failedLogins > 0) await this.store.clearLoginFailures(user.id);
      return;
    }
    const lockMs = loginLockMs(await this.store.recordLoginFailure(user.id));
    if (lockMs > 0) await this.store.lockUser(user.id, new Date(now.getTime() + lockMs));
    throw new ChatError(401, "wrong username or password");
  }

  /** The username a session token belongs to, or undefined. */
  async authenticate(token: string | undefined): Promise<string | undefined> {
    if (!token) return undefined;
    return this.store.sessionUser(hashSessionToken(token), this.now());
  }

  /** The live session of a token, with its key and end; undefined for an unknown or expired one. */
  async session(token: string | undefined): Promise<LiveSession | undefined> {
    if (!token) return undefined;
    return this.sessionByKey(hashSessionToken(token));
  }

  /** The live session with this key (a token's hash), looked up again: has it ended, or moved its end? */
  async sessionByKey(key: string): Promise<LiveSession | undefined> {
    const session = await this.store.liveSession(key, this.now());
    return session && { ...session, key };
  }

  /** Ends this token's session; its live sockets are disconnected. */
  async logout(token: string): Promise<void> {
    const key = hashSessionToken(token);
    await this.store.deleteSession(key);
    this.sessionsEnded([key]);
  }

  /** Ends every session of `username`, wherever they are logged in; all their live sockets are disconnected. */
  async logoutEverywhere(username: string): Promise<void> {
    this.sessionsEnded(await this.store.deleteSessionsOf(username));
  }

  /** Whoever holds live connections (the socket layer) hears which sessions ended. */
  onSessionsEnded(listener: SessionsEndedListener): () => void {
    this.sessionsEndedListeners.add(listener);
    return () => this.sessionsEndedListeners.delete(listener);
  }

  private sessionsEnded(keys: string[]): void {
    if (keys.length === 0) return;
    for (const listener of this.sessionsEndedListeners) listener(keys);
  }
}
