/**
 * SQLite: the small lookups the hot paths make — what every new connection asks (its session, its device
 * subscriptions, its groups) with the `lastSeen` write of its arrival and departure, and what every group message
 * asks before it is stored (the group by name, whether the sender is a member, the members) — as statements prepared
 * once on the fast paths' connection (sqlite-writer.ts). Through Prisma each of these paid a query-plan compile and a
 * fresh prepare, 1–3 ms apiece on a small machine: most of the server's work per connection in a profile of a socket
 * ramp, and several ms before a group message could be stored. The portable twins are the stores' Prisma Client
 * code, which MongoDB runs; the store suite runs both on the same data.
 */
import type { AccountFastPaths } from "./account-store";
import type { DeviceFastPaths } from "./device-store";
import type { GroupFastPaths, GroupRow } from "./group-store";
import { sqliteDateTime } from "./sqlite-insert";
import { sqliteDate } from "./sqlite-reader";
import type { SqliteWriter } from "./sqlite-writer";

const LIVE_SESSION = `
  SELECT "Session"."expiresAt" AS "expiresAt", "User"."username" AS "username"
  FROM "Session" JOIN "User" ON "User"."id" = "Session"."userId"
  WHERE "Session"."tokenHash" = ?`;

const TOUCH_LAST_SEEN = `UPDATE "User" SET "lastSeen" = ? WHERE "username" = ?`;

const SUBSCRIPTIONS_OF = `SELECT "device" FROM "Subscription" WHERE "username" = ?`;

const GROUP_COLUMNS = `"id", "name", "owner", "createdAt"`;

const GROUPS_OF = `
  SELECT ${GROUP_COLUMNS} FROM "Group"
  WHERE "id" IN (SELECT "groupId" FROM "Member" WHERE "username" = ?)`;

const GROUP_BY_NAME = `SELECT ${GROUP_COLUMNS} FROM "Group" WHERE "name" = ?`;

const IS_MEMBER = `SELECT 1 FROM "Member" WHERE "groupId" = ? AND "username" = ?`;

const MEMBERS = `SELECT "username", "joinedAt" FROM "Member" WHERE "groupId" = ?`;

export function accountFastPaths(writer: SqliteWriter): AccountFastPaths {
  return {
    liveSession(tokenHash, now) {
      const row = writer.statement(LIVE_SESSION).get(tokenHash) as
        | { expiresAt: string | number; username: string }
        | undefined;
      if (!row) return undefined;
      const expiresAt = sqliteDate(row.expiresAt);
      return expiresAt > now ? { username: row.username, expiresAt } : undefined;
    },
    touchLastSeen(username, at) {
      writer.statement(TOUCH_LAST_SEEN).run(sqliteDateTime(at), username);
    },
  };
}

export function deviceFastPaths(writer: SqliteWriter): DeviceFastPaths {
  return {
    subscriptionsOf: (username) =>
      (writer.statement(SUBSCRIPTIONS_OF).all(username) as { device: string }[]).map((row) => row.device),
  };
}

export function groupFastPaths(writer: SqliteWriter): GroupFastPaths {
  return {
    groupsOf: (username) => (writer.statement(GROUPS_OF).all(username) as StoredGroup[]).map(toGroupRow),
    byName: (name) => {
      const row = writer.statement(GROUP_BY_NAME).get(name) as StoredGroup | undefined;
      return row ? toGroupRow(row) : null;
    },
    isMember: (groupId, username) => writer.statement(IS_MEMBER).get(groupId, username) !== undefined,
    members: (groupId) =>
      (writer.statement(MEMBERS).all(groupId) as { username: string; joinedAt: string | number }[]).map((row) => ({
        username: row.username,
        joinedAt: sqliteDate(row.joinedAt),
      })),
  };
}

type StoredGroup = Omit<GroupRow, "createdAt"> & { createdAt: string | number };

const toGroupRow = (row: StoredGroup): GroupRow => ({ ...row, createdAt: sqliteDate(row.createdAt) });
