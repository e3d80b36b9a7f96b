/**
 * GroupService: the rules of groups — who may create, rename, add, remove and leave, name clashes, the member
 * limit — over the group store. ChatService owns one and resolves `#<name>` destinations through it, so a group
 * message takes the same path as a direct message. A non-member learns nothing about a group: every question they
 * ask about it gets the same 404 as a group that does not exist.
 */
import { ChatError } from "../errors";
import type { Notifier } from "./notifier";
import { addMemberSchema, createGroupSchema, renameGroupSchema, usernameSchema } from "../contract/schemas";
import { withoutGroupPrefix } from "../contract/names";
import { parsePayload as parse } from "../contract/parse";
import type { GroupSummary } from "../contract/payloads";
import type { AccountStore, GroupRow, GroupStore } from "../store";
import { groupKey } from "../store";

/** A group has 2 to this many members, its owner included (GROUP_MAX_MEMBERS). */
export const DEFAULT_GROUP_MAX_MEMBERS = 256;

export const groupRoom = (group: Pick<GroupRow, "id">) => `group:${group.id}`;

export interface GroupSettings {
  maxMembers: number;
}

/** A membership change told to the group as a `notification` message, sent by whoever made it. */
export interface GroupAnnouncement {
  group: GroupRow;
  actor: string;
  text: string;
  /** Who gets a receipt: the members after the change but the actor, and anyone who just left or was removed. */
  recipients: string[];
  /** Someone no longer in the room who should still get the announcement live (the person removed). */
  alsoTo?: string;
}

export interface GroupServiceDeps {
  groups: GroupStore;
  accounts: AccountStore;
  notifier: Notifier;
  isDeviceName: (name: string) => boolean;
  announce: (announcement: GroupAnnouncement) => Promise<void>;
  now: () => Date;
  settings: GroupSettings;
}

/** Which of these people are online (one question for all of them). */
export async function onlineAmong(notifier: Notifier, usernames: string[]): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const online = await notifier.onlineUsers();
  return new Set(usernames.filter((username) => online.has(username)));
}

const notFound = (name: string) => new ChatError(404, `no group named '${name}'`);

export class GroupService {
  constructor(private readonly deps: GroupServiceDeps) {}

  get maxMembers(): number {
    return this.deps.settings.maxMembers;
  }

  // ── resolving ──────────────────────────────────────────────────────────────

  /** The group `#name` for one of its members; the same 404 for a non-member as for a group that does not exist. */
  async forMember(username: string, destination: string): Promise<GroupRow> {
    const name = withoutGroupPrefix(destination);
    const group = await this.deps.groups.byName(name);
    if (!group || !(await this.deps.groups.isMember(group.id, username))) throw notFound(name);
    return group;
  }

  /** The members of a group, but `except`, for a message's receipts. */
  async recipients(group: GroupRow, except: string): Promise<string[]> {
    return (await this.deps.groups.members(group.id)).map((m) => m.username).filter((u) => u !== except);
  }

  /** The rooms of the groups `username` is in (joined by every socket of theirs on connect). */
  async roomsFor(username: string): Promise<string[]> {
    return (await this.deps.groups.groupsOf(username)).map(groupRoom);
  }

  /** The keys (`#<id>`) of the groups `username` is in now. */
  async keysFor(username: string): Promise<Set<string>> {
    return new Set((await this.deps.groups.groupsOf(username)).map(groupKey));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.deps.groups.byName(name)) !== null;
  }

  // ── reading ────────────────────────────────────────────────────────────────

  async list(username: string): Promise<GroupSummary[]> {
    const groups = await this.deps.groups.groupsOf(username);
    const summaries = await Promise.all(groups.map((group) => this.summary(group)));
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async get(username: string, name: string): Promise<GroupSummary> {
    return this.summary(await this.forMember(username, name));
  }

  async summary(group: GroupRow): Promise<GroupSummary> {
    const members = await this.deps.groups.members(group.id);
    const online = await onlineAmong(
      this.deps.notifier,
      members.map((m) => m.username),
    );
    return {
      name: group.name,
      owner: group.owner,
      createdAt: group.createdAt.toISOString(),
      members: members.map((m) => ({
        username: m.username,
        joinedAt: m.joinedAt.toISOString(),
        online: online.has(m.username),
      })),
    };
  }

  // ── changing ───────────────────────────────────────────────────────────────

  async create(owner: string, payload: unknown): Promise<GroupSummary> {
    const { name, members } = parse(createGroupSchema, payload);
    const others = [...new Set(members)].filter((member) => member !== owner);
    if (others.length + 1 < 2) throw new ChatError(400, "a group needs at least one member besides you");
    if (others.length + 1 > this.maxMembers) throw new ChatError(400, `a group has at most ${this.maxMembers} members`);
    await this.refuseTakenName(name);
    for (const member of others) await this.refuseUnknownPerson(member);
    const group = await this.deps.groups.create(name, owner, others, this.deps.now());
    if (!group) throw new ChatError(409, `the name '${name}' is taken`);
    for (const member of [owner, ...others]) this.deps.notifier.joinRoom(member, groupRoom(group));
    await this.deps.announce({
      group,
      actor: owner,
      text: `${owner} created #${name} with ${others.join(", ")}`,
      recipients: others,
    });
    const summary = await this.summary(group);
    this.deps.notifier.toRoom(groupRoom(group), "group", { group: summary });
    return summary;
  }

  async rename(actor: string, name: string, payload: unknown): Promise<GroupSummary> {
    const group = await this.forMember(actor, name);
    const { name: newName } = parse(renameGroupSchema, payload);
    this.refuseUnlessOwner(group, actor, "rename it");
    if (newName === group.name) return this.summary(group);
    await this.refuseTakenName(newName);
    if (!(await this.deps.groups.rename(group.id, newName))) throw new ChatError(409, `the name '${newName}' is taken`);
    const renamed = { ...group, name: newName };
    await this.deps.announce({
      group: renamed,
      actor,
      text: `${actor} renamed #${group.name} to #${newName}`,
      recipients: await this.recipients(renamed, actor),
    });
    const summary = await this.summary(renamed);
    this.deps.notifier.toRoom(groupRoom(group), "group", { group: summary, previousName: group.name });
    return summary;
  }

  async addMember(actor: string, name: string, payload: unknown): Promise<GroupSummary> {
    const group = await this.forMember(actor, name);
    const { username } = parse(addMemberSchema, payload);
    this.refuseUnlessOwner(group, actor, "add members");
    await this.refuseUnknownPerson(username);
    const members = await this.deps.groups.members(group.id);
    if (members.some((m) => m.username === username)) throw new ChatError(409, `${username} is already in #${name}`);
    if (members.length + 1 > this.maxMembers)
      throw new ChatError(400, `a group has at most ${this.maxMembers} members`);
    if (!(await this.deps.groups.addMember(group.id, username, this.deps.now())))
      throw new ChatError(409, `${username} is already in #${group.name}`);
    // In the room before the announcement, so the new member's open tabs get it (and all that follows) live.
    this.deps.notifier.joinRoom(username, groupRoom(group));
    await this.deps.announce({
      group,
      actor,
      text: `${actor} added ${username}`,
      recipients: await this.recipients(group, actor),
    });
    const summary = await this.summary(group);
    this.deps.notifier.toRoom(groupRoom(group), "group", { group: summary });
    return summary;
  }

  /**
   * The owner removes a member; anyone removes themself (leaves). The removed person's sockets leave the room
   * before the announcement, so nothing sent after the removal reaches them; the announcement itself is theirs
   * too. An owner who leaves hands the group to the longest-standing member left.
   */
  async removeMember(actor: string, name: string, who: unknown): Promise<GroupSummary | { left: string }> {
    const group = await this.forMember(actor, name);
    const username = parse(usernameSchema, who);
    const leaving = username === actor;
    if (!leaving) this.refuseUnlessOwner(group, actor, "remove members");
    if (!(await this.deps.groups.removeMember(group.id, username)))
      throw new ChatError(404, `${username} is not in #${group.name}`);
    this.deps.notifier.leaveRoom(username, groupRoom(group));
    const remaining = await this.deps.groups.members(group.id);
    let current = group;
    let handover = "";
    if (group.owner === username && remaining.length > 0) {
      const heir = remaining[0]!.username;
      await this.deps.groups.setOwner(group.id, heir);
      current = { ...group, owner: heir };
      handover = `; ${heir} is the owner now`;
    }
    const others = remaining.map((m) => m.username).filter((u) => u !== actor);
    await this.deps.announce({
      group: current,
      actor,
      text: leaving ? `${actor} left${handover}` : `${actor} removed ${username}`,
      recipients: leaving ? others : [...others, username],
      alsoTo: leaving ? undefined : username,
    });
    // After the announcement (same room, so in this order): their tabs show it, then drop the group.
    this.deps.notifier.toUser(username, "group:left", { name: group.name });
    const summary = await this.summary(current);
    this.deps.notifier.toRoom(groupRoom(group), "group", { group: summary });
    return leaving ? { left: group.name } : summary;
  }

  // ── rules ──────────────────────────────────────────────────────────────────

  private refuseUnlessOwner(group: GroupRow, actor: string, what: string): void {
    if (group.owner !== actor)
      throw new ChatError(403, `only the owner of #${group.name} (${group.owner}) can ${what}`);
  }

  /** A group name is nobody's: no group's, no person's, no device's (in any capitalisation, as devices are). */
  private async refuseTakenName(name: string): Promise<void> {
    if (this.deps.isDeviceName(name)) throw new ChatError(409, `'${name}' is a device name`);
    if (await this.deps.accounts.userExists(name)) throw new ChatError(409, `'${name}' is a username`);
    if (await this.deps.groups.byName(name)) throw new ChatError(409, `the name '${name}' is taken`);
  }

  private async refuseUnknownPerson(username: string): Promise<void> {
    if (this.deps.isDeviceName(username)) throw new ChatError(400, `${username} is a device and cannot join a group`);
    if (!(await this.deps.accounts.userExists(username))) throw new ChatError(404, `no user named '${username}'`);
  }
}
