/**
 * The account store: people's usernames and password hashes, and their sessions. (Login attempts: throttles.ts.)
 * Two implementations: portable/accounts.ts (Prisma Client calls, what MongoDB runs) and sqlite/accounts.ts (the
 * session lookup and the `lastSeen` write as prepared SQLite statements); openStore (index.ts) picks one.
 */

export interface StoredUser {
  id: string;
  username: string;
  passwordHash: string;
  lastSeen: Date | null;
}

export interface AccountStore {
  /** Claims a username; `undefined` when someone already has it (exactly one of two racing claims wins). */
  createUser(username: string, passwordHash: string): Promise<StoredUser | undefined>;
  findUser(username: string): Promise<StoredUser | null>;
  /** Whether someone has this username. */
  userExists(username: string): Promise<boolean>;
  listUsers(): Promise<Pick<StoredUser, "username" | "lastSeen">[]>;
  touchLastSeen(username: string, at: Date): Promise<void>;

  createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<void>;
  /** The username a live session belongs to, or undefined for an unknown or expired token. */
  sessionUser(tokenHash: string, now: Date): Promise<string | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** A live session's person and end, or undefined for an unknown or expired token hash. */
  liveSession(tokenHash: string, now: Date): Promise<{ username: string; expiresAt: Date } | undefined>;
  /** Ends every session of `username`; returns the token hashes of the sessions it ended. */
  deleteSessionsOf(username: string): Promise<string[]>;
}
