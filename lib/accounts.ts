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

export class AccountService {
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

  async logout(token: string): Promise<void> {
    await this.store.deleteSession(hashSessionToken(token));
  }
}
