/**
 * Read marks: opening a conversation marks read everything the peer sent the reader (in a group, everything the
 * reader received there), and each sender's ticks turn to read.
 */
import { isGroup } from "../contract/names";
import { parsePayload as parse } from "../contract/parse";
import { markReadSchema } from "../contract/schemas";
import { groupKey, type MessageStore } from "../store";
import type { Delivery } from "./delivery";
import type { GroupService } from "./group-service";

export interface ReadMarksDeps {
  messages: MessageStore;
  groups: GroupService;
  delivery: Delivery;
  now: () => Date;
}

export class ReadMarks {
  constructor(private readonly deps: ReadMarksDeps) {}

  /** Marks the conversation with `{with}` read for `reader`; answers the ids of the messages marked now. */
  async markRead(reader: string, payload: unknown): Promise<string[]> {
    const { with: peer } = parse(markReadSchema, payload);
    const group = isGroup(peer) ? await this.deps.groups.forMember(reader, peer) : undefined;
    const changes = await this.deps.messages.markConversationRead(
      reader,
      group ? groupKey(group) : peer,
      this.deps.now(),
    );
    for (const { id, sender } of changes)
      this.deps.delivery.tellSender(sender, { id, status: "read", ...(group ? { by: reader } : {}) });
    return changes.map((change) => change.id);
  }
}
