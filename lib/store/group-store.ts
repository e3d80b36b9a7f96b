/**
 * Groups and their members, written against Prisma Client like the other stores (runs unchanged on SQLite and
 * MongoDB). The rules — who may do what, name clashes, the member limit — are lib/groups.ts's; this module only
 * reads and writes. A group is addressed in the message tables by its key, `#<id>`, never by its name, so a
 * rename changes one row.
 */
import type { Group as GroupRow } from "@prisma/client";
import type { Database } from "./database";
import type { FastPathsWithRetry } from "./fast-paths";
import { newMessageId } from "./message-id";
import { DEFAULT_RETRY_POLICY, isUniqueViolation, isWriteConflict, type RetryPolicy, retryOnConflict } from "./retry";

export type { GroupRow };

/**
 * What SQLite answers without Prisma (sqlite-lookups.ts): the groups every socket's arrival reads, and what every
 * group message looks up before it is stored. `members` comes unordered; the store orders it as for the twin.
 */
export interface GroupFastPaths {
  groupsOf(username: string): GroupRow[];
  byName(name: string): GroupRow | null;
  isMember(groupId: string, username: string): boolean;
  members(groupId: string): MemberRow[];
}

export interface MemberRow {
  username: string;
  joinedAt: Date;
}

/** A group's key, `#<id>`: how the message tables name it (isGroup in lib/contract/names.ts tells it from a person). */
export const groupKey = (group: Pick<GroupRow, "id">): string => `#${group.id}`;

export class GroupStore {
  constructor(
    private readonly db: Database,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly fast?: FastPathsWithRetry<GroupFastPaths>,
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
    if (this.fast) return this.fast.run((fast) => fast.byName(name));
    return this.db.group.findUnique({ where: { name } });
  }

  async byIds(ids: string[]): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    return this.db.group.findMany({ where: { id: { in: ids } } });
  }

  /** Members, longest-standing first. */
  async members(groupId: string): Promise<MemberRow[]> {
    const rows = this.fast
      ? await this.fast.run((fast) => fast.members(groupId))
      : await this.db.member.findMany({ where: { groupId }, select: { username: true, joinedAt: true } });
    return rows.sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || (a.username < b.username ? -1 : 1));
  }

  async isMember(groupId: string, username: string): Promise<boolean> {
    if (this.fast) return this.fast.run((fast) => fast.isMember(groupId, username));
    const row = await this.db.member.findUnique({
      where: { groupId_username: { groupId, username } },
      select: { id: true },
    });
    return row !== null;
  }

  /** The groups `username` is in now. */
  async groupsOf(username: string): Promise<GroupRow[]> {
    if (this.fast) return this.fast.run((fast) => fast.groupsOf(username));
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
