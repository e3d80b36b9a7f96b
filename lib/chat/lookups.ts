/**
 * Lookups: what a person can look at, changing nothing. A page of a conversation, the list of conversations, who
 * has one of their messages and who read it, and everyone there is to message, with whether they are online.
 */
import type { DeviceRegistry } from "../devices/registry";
import { ChatError } from "../errors";
import { isGroup } from "../contract/names";
import { parsePayload as parse } from "../contract/parse";
import type { ChatMessage, ConversationSummary, ReceiptDetail, UserSummary } from "../contract/payloads";
import { historyQuerySchema } from "../contract/schemas";
import { type AccountStore, groupKey, type MessageStore } from "../store";
import type { GroupService } from "./group-service";
import type { Notifier } from "./notifier";

export interface LookupsDeps {
  messages: MessageStore;
  accounts: AccountStore;
  notifier: Notifier;
  devices: DeviceRegistry;
  groups: GroupService;
}

export class Lookups {
  constructor(private readonly deps: LookupsDeps) {}

  /** A page of a conversation; in a group, what was sent while `username` was a member (members only). */
  async history(username: string, query: unknown): Promise<ChatMessage[]> {
    const { with: peer, before, limit } = parse(historyQuerySchema, query);
    const conversation = isGroup(peer) ? groupKey(await this.deps.groups.forMember(username, peer)) : peer;
    const page = await this.deps.messages.conversation(username, conversation, { before, limit });
    if (!page) throw new ChatError(400, "before must be the id of a message in this conversation");
    return page;
  }

  /** Every conversation, people and the groups `username` is in now, newest first. */
  async conversations(username: string): Promise<ConversationSummary[]> {
    return this.deps.messages.conversations(username, await this.deps.groups.keysFor(username));
  }

  /** Who has one of your messages and who read it; the same 404 for anyone else's message as for none. */
  async receipts(username: string, messageId: string): Promise<ReceiptDetail[]> {
    const found = await this.deps.messages.receipts(messageId);
    if (!found || found.message.sender !== username) throw new ChatError(404, "no such message of yours");
    return found.receipts
      .map((receipt) => ({
        username: receipt.recipient,
        deliveredAt: receipt.deliveredAt?.toISOString() ?? null,
        readAt: receipt.readAt?.toISOString() ?? null,
      }))
      .sort((a, b) => (a.username < b.username ? -1 : 1));
  }

  /** The devices, then the people, each with their presence. */
  async listUsers(): Promise<UserSummary[]> {
    const [users, online] = await Promise.all([this.deps.accounts.listUsers(), this.deps.notifier.onlineUsers()]);
    const devices: UserSummary[] = this.deps.devices.all.map((device) => ({
      username: device.name,
      online: device.online,
      lastSeen: null,
      service: device.kind,
    }));
    const people = users.map((user) => ({
      username: user.username,
      online: online.has(user.username),
      lastSeen: user.lastSeen?.toISOString() ?? null,
    }));
    return [...devices, ...people];
  }
}
