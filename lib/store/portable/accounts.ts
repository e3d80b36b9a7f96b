/**
 * The account store (../accounts.ts) in Prisma Client calls, exactly what MongoDB runs. The SQLite implementation
 * (../sqlite/accounts.ts) extends it with statements of its own for the session lookup and the `lastSeen` write.
 */
import type { AccountStore, StoredUser } from "../accounts";
import type { Database } from "../database";
import { DEFAULT_RETRY_POLICY, isUniqueViolation, isWriteConflict, type RetryPolicy, retryOnConflict } from "../retry";

/** Usernames are never deleted, so a name seen once stays valid; the cap only bounds memory. */
const KNOWN_USERNAMES_CAP = 100_000;

export class PortableAccountStore implements AccountStore {
  private readonly knownUsernames = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  // ── users ──────────────────────────────────────────────────────────────────

  /**
   * Claims a username; `undefined` when someone already has it. Two people claiming one name at
   * once: the loser's insert is refused by the unique index (P2002) or, on MongoDB, may lose a
   * write conflict (P2034) instead. A conflict is retried — the retry then meets the winner's row —
   * and one that persists is answered like a taken name; either way exactly one claim wins.
   * The nulls are written out because MongoDB tells a stored null from a missing field.
   */
  async createUser(username: string, passwordHash: string): Promise<StoredUser | undefined> {
    try {
      return await retryOnConflict(
        () => this.db.user.create({ data: { username, passwordHash, lastSeen: null } }),
        this.retry,
      );
    } catch (error) {
      if (isUniqueViolation(error) || isWriteConflict(error)) return undefined;
      throw error;
    }
  }

  findUser(username: string): Promise<StoredUser | null> {
    return this.db.user.findUnique({ where: { username } });
  }

  /** Whether someone has this username; answered from memory for names already seen. */
  async userExists(username: string): Promise<boolean> {
    if (this.knownUsernames.has(username)) return true;
    const user = await this.db.user.findUnique({ where: { username }, select: { id: true } });
    if (!user) return false;
    if (this.knownUsernames.size >= KNOWN_USERNAMES_CAP) this.knownUsernames.clear();
    this.knownUsernames.add(username);
    return true;
  }

  listUsers(): Promise<Pick<StoredUser, "username" | "lastSeen">[]> {
    return this.db.user.findMany({ select: { username: true, lastSeen: true }, orderBy: { username: "asc" } });
  }

  async touchLastSeen(username: string, at: Date): Promise<void> {
    await this.write(() => this.db.user.updateMany({ where: { username }, data: { lastSeen: at } }));
  }

  // ── sessions ───────────────────────────────────────────────────────────────

  async createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.write(() => this.db.session.create({ data: { userId, tokenHash, expiresAt } }));
  }

  /** The username a live session belongs to, or undefined for an unknown or expired token. */
  async sessionUser(tokenHash: string, now: Date): Promise<string | undefined> {
    return (await this.liveSession(tokenHash, now))?.username;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.write(() => this.db.session.deleteMany({ where: { tokenHash } }));
  }

  private write<T>(operation: () => Promise<T>): Promise<T> {
    return retryOnConflict(operation, this.retry);
  }

  // ── ending sessions and their sockets ──────────────────────────────────────
  // What the socket layer needs to disconnect a session's sockets when it ends: a session's end,
  // to disconnect its sockets then, and the sessions "log out everywhere" ended.

  /** A live session's person and end, or undefined for an unknown or expired token hash. */
  async liveSession(tokenHash: string, now: Date): Promise<{ username: string; expiresAt: Date } | undefined> {
    const session = await this.db.session.findUnique({
      where: { tokenHash },
      select: { expiresAt: true, user: { select: { username: true } } },
    });
    return session && session.expiresAt > now
      ? { username: session.user.username, expiresAt: session.expiresAt }
      : undefined;
  }

  /** Ends every session of `username`; returns the token hashes of the sessions it ended. */
  async deleteSessionsOf(username: string): Promise<string[]> {
    const sessions = await this.db.session.findMany({ where: { user: { username } }, select: { tokenHash: true } });
    const hashes = sessions.map((session) => session.tokenHash);
    // Prisma refuses more than 999 bound values in one SQLite query.
    for (let i = 0; i < hashes.length; i += 900) {
      await this.db.session.deleteMany({ where: { tokenHash: { in: hashes.slice(i, i + 900) } } });
    }
    return hashes;
  }
}
