/**
 * The account store on SQLite: the portable implementation (../portable/accounts.ts), but for what every request and
 * socket asks — its session — and the `lastSeen` write of every arrival and departure, which run as statements
 * prepared once on the writer's connection (writer.ts). Through Prisma each of these paid a query-plan compile and a
 * fresh prepare, 1–3 ms apiece on a small machine: most of the server's work per connection in a profile of a socket
 * ramp. The portable code is the twin these are held to; the store suite runs both on the same data.
 */
import type { Database } from "../database";
import { PortableAccountStore } from "../portable/accounts";
import type { RetryPolicy } from "../retry";
import type { SqliteConnections } from "./file";
import { SESSION, USER } from "./tables";

const SESSION_END = SESSION.pick("expiresAt");
const USERNAME = USER.pick("username");

const LIVE_SESSION = `
  SELECT ${SESSION_END.select(`"Session"`)}, ${USERNAME.select(`"User"`)}
  FROM "Session" JOIN "User" ON "User"."id" = "Session"."userId"
  WHERE "Session"."tokenHash" = ?`;

const TOUCH_LAST_SEEN = `UPDATE "User" SET "lastSeen" = ? WHERE "username" = ?`;

export class SqliteAccountStore extends PortableAccountStore {
  constructor(
    db: Database,
    retry: RetryPolicy,
    private readonly sqlite: SqliteConnections,
  ) {
    super(db, retry);
  }

  override touchLastSeen(username: string, at: Date): Promise<void> {
    return this.sqlite.busy.run(async () => {
      this.sqlite.writer.statement(TOUCH_LAST_SEEN).run(USER.encode("lastSeen", at), username);
    });
  }

  override liveSession(tokenHash: string, now: Date): Promise<{ username: string; expiresAt: Date } | undefined> {
    return this.sqlite.busy.run(async () => {
      const row = this.sqlite.writer.statement(LIVE_SESSION).get(tokenHash);
      if (!row) return undefined;
      const { expiresAt } = SESSION_END.decode(row);
      return expiresAt > now ? { username: USERNAME.decode(row).username, expiresAt } : undefined;
    });
  }
}
