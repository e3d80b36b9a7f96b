/**
 * The group store: groups and their members. The rules — who may do what, name clashes, the member limit — are
 * lib/chat/group-service.ts's; a store only reads and writes. A group is addressed in the message tables by its key,
 * `#<id>`, never by its name, so a rename changes one row. Two implementations: portable/groups.ts (Prisma Client
 * calls, what MongoDB runs) and sqlite/groups.ts (the lookups of every socket's arrival and every group message, as
 * prepared SQLite statements); openStore (index.ts) picks one.
 */
import type { Group as GroupRow } from "@prisma/client";

export type { GroupRow };

export interface MemberRow {
  username: string;
  joinedAt: Date;
}

/** A group's key, `#<id>`: how the message tables name it (isGroup in lib/contract/names.ts tells it from a person). */
export const groupKey = (group: Pick<GroupRow, "id">): string => `#${group.id}`;

export interface GroupStore {
  /** Creates a group with its owner and members (the owner first); `undefined` when the name is taken. */
  create(name: string, owner: string, members: string[], at: Date): Promise<GroupRow | undefined>;
  byName(name: string): Promise<GroupRow | null>;
  byIds(ids: string[]): Promise<GroupRow[]>;
  /** Members, longest-standing first. */
  members(groupId: string): Promise<MemberRow[]>;
  isMember(groupId: string, username: string): Promise<boolean>;
  /** The groups `username` is in now. */
  groupsOf(username: string): Promise<GroupRow[]>;
  /** Adds a member; false when they already are one. */
  addMember(groupId: string, username: string, at: Date): Promise<boolean>;
  /** Removes a member; false when they were not one. */
  removeMember(groupId: string, username: string): Promise<boolean>;
  /** Renames; false when the new name is taken by another group. */
  rename(groupId: string, name: string): Promise<boolean>;
  setOwner(groupId: string, owner: string): Promise<void>;
}
