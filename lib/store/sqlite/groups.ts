/**
 * The group store on SQLite: the portable implementation (../portable/groups.ts), but for what every socket's arrival
 * reads (its groups) and what every group message asks before it is stored (the group by name, whether the sender
 * is a member, the members), which run as statements prepared once on the writer's connection (writer.ts). Through
 * Prisma these cost several ms before a group message could be stored. The portable code is the twin these are held
 * to; the store suite runs both on the same data.
 */
import type { Database } from "../database";
import type { GroupRow, MemberRow } from "../groups";
import { longestStandingFirst, PortableGroupStore } from "../portable/groups";
import type { RetryPolicy } from "../retry";
import type { SqliteConnections } from "./file";
import { GROUP, MEMBER } from "./tables";

const GROUPS_OF = `
  SELECT ${GROUP.select()} FROM "Group"
  WHERE "id" IN (SELECT "groupId" FROM "Member" WHERE "username" = ?)`;

const GROUP_BY_NAME = `SELECT ${GROUP.select()} FROM "Group" WHERE "name" = ?`;

const IS_MEMBER = `SELECT 1 FROM "Member" WHERE "groupId" = ? AND "username" = ?`;

const MEMBERSHIP = MEMBER.pick("username", "joinedAt");
const MEMBERS = `SELECT ${MEMBERSHIP.select()} FROM "Member" WHERE "groupId" = ?`;

export class SqliteGroupStore extends PortableGroupStore {
  constructor(
    db: Database,
    retry: RetryPolicy,
    private readonly sqlite: SqliteConnections,
  ) {
    super(db, retry);
  }

  override byName(name: string): Promise<GroupRow | null> {
    return this.sqlite.busy.run(async () => {
      const row = this.sqlite.writer.statement(GROUP_BY_NAME).get(name);
      return row ? GROUP.decode(row) : null;
    });
  }

  override async members(groupId: string): Promise<MemberRow[]> {
    const rows = await this.sqlite.busy.run(async () =>
      this.sqlite.writer
        .statement(MEMBERS)
        .all(groupId)
        .map((row) => MEMBERSHIP.decode(row)),
    );
    return longestStandingFirst(rows);
  }

  override isMember(groupId: string, username: string): Promise<boolean> {
    return this.sqlite.busy.run(
      async () => this.sqlite.writer.statement(IS_MEMBER).get(groupId, username) !== undefined,
    );
  }

  override groupsOf(username: string): Promise<GroupRow[]> {
    return this.sqlite.busy.run(async () =>
      this.sqlite.writer
        .statement(GROUPS_OF)
        .all(username)
        .map((row) => GROUP.decode(row)),
    );
  }
}
