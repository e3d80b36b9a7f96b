/**
 * AccountService: claiming a username, logging in and out, and turning a session token back into
 * a username. The one code path for accounts, whether the login comes from the page, the HTTP API
 * or the terminal client; the socket layer and route handlers authenticate through it.
 */
import { hashPassword, hashSessionToken, newSessionToken, SESSION_LIFETIME_MS, verifyPassword } from "./auth";
import { ChatError } from "../errors";
import { hashingFullError, type LoginProtection } from "./login-protection";
import { loginSchema } from "../contract/schemas";
import { parsePayload as parse } from "../contract/parse";
import type { AccountStore, StoredUser } from "../store";

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
    private readonly protection: LoginProtection,
    private readonly now: () => Date = () => new Date(),
    /** Whether a group has this name: a new username must not take a group's name (groups are `#<name>`). */
    private readonly isGroupName: (name: string) => Promise<boolean> = async () => false,
  ) {}

  /**
   * Logs in, claiming the username with this password if nobody has it yet. `clientAddress` (the caller's, as the
   * edge established it) is what wrong passwords and sign-ups are counted against.
   */
  async login(payload: unknown, clientAddress: string): Promise<Session> {
    const { username, password } = parse(loginSchema, payload);
    if (this.isReservedName(username)) throw new ChatError(403, `'${username}' is a device name and cannot be claimed`);

    let user = await this.store.findUser(username);
    let created = false;
    if (!user) {
      if (await this.isGroupName(username))
        throw new ChatError(403, `'${username}' is a group name and cannot be claimed`);
      const claimed = await this.claim(username, password, clientAddress);
      created = claimed !== undefined;
      user = claimed ?? (await this.store.findUser(username)); // lost a race to claim it: check against the winner
    }
    if (!user) throw new ChatError(401, "wrong username or password");
    if (!created) await this.checkPassword(user, password, clientAddress);
    const token = newSessionToken();
    await this.store.createSession(
      user.id,
      hashSessionToken(token),
      new Date(this.now().getTime() + SESSION_LIFETIME_MS),
    );
    return { username, token, created };
  }

  /**
   * Refuses a login or sign-up at once (503, Retry-After) while the password-hashing queue is full: it would
   * be refused there anyway, and this costs nothing, before its body is read or the store is asked anything.
   */
  refuseIfHashingFull(): void {
    if (this.protection.hashing.isFull()) throw hashingFullError();
  }

  /** Claims a free name, if this address may claim another; undefined when someone else claimed it first. */
  private async claim(username: string, password: string, clientAddress: string): Promise<StoredUser | undefined> {
    const { throttle, hashing } = this.protection;
    await throttle.refuseIfTooManySignups(clientAddress, this.now());
    const passwordHash = await hashing.run(async () => {
      await throttle.reserveSignup(clientAddress, this.now());
      return hashPassword(password);
    });
    return this.store.createUser(username, passwordHash);
  }

  /**
   * Verifies a login against a claimed name. The attempt is counted before the password is checked (and inside
   * the hashing gate, so only the few being hashed contend for the counter): however many arrive at once, no
   * more are checked than the throttle allows. A refused one is not counted and never reaches scrypt.
   */
  private async checkPassword(user: StoredUser, password: string, clientAddress: string): Promise<void> {
    const { throttle, hashing } = this.protection;
    await throttle.refuseIfLocked(clientAddress, user.username, this.now());
    const { attempt, right } = await hashing.run(async () => {
      const attempt = await throttle.reserveLogin(clientAddress, user.username, this.now());
      return { attempt, right: await verifyPassword(password, user.passwordHash) };
    });
    if (!right) throw new ChatError(401, "wrong username or password");
    await attempt.succeeded();
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
