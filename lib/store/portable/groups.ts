/**
 * The group store (../groups.ts) in Prisma Client calls, exactly what MongoDB runs. The SQLite implementation
 * (../sqlite/groups.ts) extends it with statements of its own for the lookups of every socket's arrival and of every
 * group message.
 */
import type { Database } from "../database";
import type { GroupRow, GroupStore, MemberRow } from "../groups";
import { newMessageId } from "../message-id";
import { DEFAULT_RETRY_POLICY, isUniqueViolation, isWriteConflict, type RetryPolicy, retryOnConflict } from "../retry";

/** Members in the order the store lists them: longest-standing first (joinedAt, then username). */
export function longestStandingFirst(rows: MemberRow[]): MemberRow[] {
  return rows.sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || (a.username < b.username ? -1 : 1));
}

export class PortableGroupStore implements GroupStore {
  constructor(
    private readonly db: Database,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  /**
   * Creates a group with its owner and members (the owner first, so it is the longest-standing); `undefined` when
   * the name is taken. MongoDB writes the two without a transaction: if the members cannot be written the group is
   * removed again, so the name is not left taken by a group nobody is in.
   */
  async create(name: string, owner: string, members: string[], at: Date): Promise<GroupRow | undefined> {
    const id = newMessageId().id;
    let group: GroupRow;
    try {
      group = await retryOnConflict(
        () => this.db.group.create({ data: { id, name, owner, createdAt: at } }),
        this.retry,
      );
    } catch (error) {
      if (isUniqueViolation(error) || isWriteConflict(error)) return undefined;
      throw error;
    }
    const everyone = [owner, ...members.filter((member) => member !== owner)];
    try {
      await retryOnConflict(
        () =>
          this.db.member.createMany({
            // A millisecond apart, so "longest-standing" has one answer: the owner, then the members as listed.
            data: everyone.map((username, i) => ({
              id: `${id}.${i}`,
              groupId: id,
              username,
              joinedAt: new Date(at.getTime() + i),
            })),
          }),
        this.retry,
      );
    } catch (error) {
      await this.db.group.delete({ where: { id } }).catch(() => undefined);
      throw error;
    }
    return group;
  }

  byName(name: string): Promise<GroupRow | null> {
    return this.db.group.findUnique({ where: { name } });
  }

  async byIds(ids: string[]): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    return this.db.group.findMany({ where: { id: { in: ids } } });
  }

  async members(groupId: string): Promise<MemberRow[]> {
    return longestStandingFirst(
      await this.db.member.findMany({ where: { groupId }, select: { username: true, joinedAt: true } }),
    );
  }

  async isMember(groupId: string, username: string): Promise<boolean> {
    const row = await this.db.member.findUnique({
      where: { groupId_username: { groupId, username } },
      select: { id: true },
    });
    return row !== null;
  }

  async groupsOf(username: string): Promise<GroupRow[]> {
    const rows = await this.db.member.findMany({ where: { username }, select: { groupId: true } });
    return this.byIds(rows.map((row) => row.groupId));
  }

  /** Adds a member; false when they already are one. */
  async addMember(groupId: string, username: string, at: Date): Promise<boolean> {
    try {
      await retryOnConflict(
        () => this.db.member.create({ data: { id: newMessageId().id, groupId, username, joinedAt: at } }),
        this.retry,
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Removes a member; false when they were not one. */
  async removeMember(groupId: string, username: string): Promise<boolean> {
    const { count } = await retryOnConflict(
      () => this.db.member.deleteMany({ where: { groupId, username } }),
      this.retry,
    );
    return count > 0;
  }

  /** Renames; false when the new name is taken by another group. */
  async rename(groupId: string, name: string): Promise<boolean> {
    try {
      await retryOnConflict(() => this.db.group.update({ where: { id: groupId }, data: { name } }), this.retry);
      return true;
    } catch (error) {
      if (isUniqueViolation(error) || isWriteConflict(error)) return false;
      throw error;
    }
  }

  async setOwner(groupId: string, owner: string): Promise<void> {
    await retryOnConflict(() => this.db.group.update({ where: { id: groupId }, data: { owner } }), this.retry);
  }
}
