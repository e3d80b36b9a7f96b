/**
 * Everything the chat page knows, and the one reducer that changes it. Messages reach this state
 * from many directions (history pages, live events, the offline backlog, the sender's own echo,
 * acks, `!check`), so every one of them goes through `mergeMessages`, which dedupes by id and
 * retires the outbox entry with the same clientId: nothing shown twice, nothing lost.
 */
import { isGroup } from "@/lib/contract/names";
import { compareChronologically } from "@/lib/contract/order";
import type {
  ChatMessage,
  ConversationSummary,
  GroupSummary,
  MessageStatusEvent,
  PresenceEvent,
  TypingEvent,
  UserSummary,
} from "@/lib/contract/payloads";

/** A message typed here that the server has not confirmed yet. */
export interface OutgoingMessage {
  clientId: string;
  destination: string;
  message: string;
  timestamp: string;
  /** queued: waits for a connection; sending: emitted, no ack yet; failed: refused, or no answer came. */
  state: "queued" | "sending" | "failed";
  error?: string;
  /** Whether a failed one may be sent again (lib/client/outbox.ts): not after a final refusal. */
  retryable?: boolean;
}

export interface Thread {
  messages: ChatMessage[];
  /** Whether the newest page has been fetched at least once. */
  loaded: boolean;
  /** Whether older pages may exist (the last page back was full). */
  hasOlder: boolean;
  loadingOlder: boolean;
}

/** offline: lost, and being tried again; refused: the server refused it for good (the notice says why). */
export type Connection = "connecting" | "online" | "offline" | "refused";

export interface Conversation {
  last: ChatMessage;
  unread: number;
}

/**
 * Everything keyed by a person or a device is a Map (or a Set), never a plain object: `constructor`,
 * `__proto__` and `toString` are valid usernames, and a plain object answers them from
 * Object.prototype (a function where a thread was expected, a setter instead of a key).
 */
export interface ChatState {
  me: string;
  users: ReadonlyMap<string, UserSummary>;
  conversations: ReadonlyMap<string, Conversation>;
  threads: ReadonlyMap<string, Thread>;
  outbox: OutgoingMessage[];
  /** Who is typing to me right now: a name, or `#team alice` for alice in #team (no name has a space). */
  typing: ReadonlySet<string>;
  /** The groups I am in, by `#<name>`. */
  groups: ReadonlyMap<string, GroupSummary>;
  openPeer: string | null;
  connection: Connection;
  /** The latest thing the page has to say (offline notice, an error, help text). */
  notice: { id: number; text: string } | null;
  /** The result of the last `!check`, shown until dismissed. */
  checkResults: ChatMessage[] | null;
}

export type ChatAction =
  | { type: "users"; users: UserSummary[] }
  | { type: "conversations"; conversations: ConversationSummary[] }
  | { type: "presence"; events: PresenceEvent[] }
  | { type: "open"; peer: string | null }
  | { type: "messages"; messages: ChatMessage[] }
  | { type: "history"; peer: string; messages: ChatMessage[]; older: boolean; pageSize: number }
  | { type: "loadingOlder"; peer: string }
  | { type: "status"; event: MessageStatusEvent; at: string }
  | { type: "readByMe"; peer: string; at: string }
  | { type: "typing"; username: string; typing: boolean; group?: string }
  | { type: "groups"; groups: GroupSummary[] }
  | { type: "group"; group: GroupSummary; previousName?: string }
  | { type: "groupLeft"; name: string }
  | { type: "connection"; connection: Connection }
  | { type: "outbox"; message: OutgoingMessage }
  | { type: "outboxState"; clientId: string; state: OutgoingMessage["state"]; error?: string; retryable?: boolean }
  | { type: "outboxRemove"; clientId: string }
  | { type: "notice"; text: string | null }
  | { type: "checkResults"; messages: ChatMessage[] | null };

export function initialChatState(me: string): ChatState {
  return {
    me,
    users: new Map(),
    conversations: new Map(),
    threads: new Map(),
    outbox: [],
    typing: new Set(),
    groups: new Map(),
    openPeer: null,
    connection: "connecting",
    notice: null,
    checkResults: null,
  };
}

/** The conversation a message belongs to, from my side: the other person, or the group (`#team`). */
export function peerOf(message: Pick<ChatMessage, "sender" | "destination">, me: string): string {
  if (isGroup(message.destination)) return message.destination;
  return message.sender === me ? message.destination : message.sender;
}

/** The key under which someone's typing is kept: their name, or `#team name` in a group. */
export const typingKey = (event: Pick<TypingEvent, "username" | "group">) =>
  event.group ? `${event.group} ${event.username}` : event.username;

/** Who is typing in a group right now, by name. */
export function typingIn(state: Pick<ChatState, "typing">, group: string): string[] {
  return [...state.typing].filter((key) => key.startsWith(`${group} `)).map((key) => key.slice(group.length + 1));
}

const addName = (names: string[], name: string) => (names.includes(name) ? names : [...names, name].sort());

/** Moves everything kept under `#old` to `#new` (a rename): thread, conversation, and its messages' destination. */
function renameGroup(state: ChatState, from: string, to: string): ChatState {
  if (from === to) return state;
  const rename = (message: ChatMessage) => (message.destination === from ? { ...message, destination: to } : message);
  const threads = new Map(state.threads);
  const thread = threads.get(from);
  if (thread) {
    threads.delete(from);
    threads.set(to, { ...thread, messages: thread.messages.map(rename) });
  }
  const conversations = new Map(state.conversations);
  const conversation = conversations.get(from);
  if (conversation) {
    conversations.delete(from);
    conversations.set(to, { ...conversation, last: rename(conversation.last) });
  }
  const outbox = state.outbox.map((entry) => (entry.destination === from ? { ...entry, destination: to } : entry));
  return { ...state, threads, conversations, outbox, openPeer: state.openPeer === from ? to : state.openPeer };
}

const emptyThread: Thread = { messages: [], loaded: false, hasOlder: true, loadingOlder: false };

/** A copy of `map` with `key` set: state is never changed in place, so React sees every change. */
function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value);
}

/** Two copies of one message: keep the most advanced status and the Stored mark if either had it. */
function combine(known: ChatMessage, incoming: ChatMessage): ChatMessage {
  const merged: ChatMessage = {
    ...known,
    ...incoming,
    deliveredAt: incoming.deliveredAt ?? known.deliveredAt,
    readAt: incoming.readAt ?? known.readAt,
    clientId: incoming.clientId ?? known.clientId,
  };
  if (known.stored || incoming.stored) merged.stored = true;
  return merged;
}

/** Adds messages to a sorted list, deduped by id. */
export function mergeMessages(list: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(list.map((message) => [message.id, message]));
  for (const message of incoming) {
    const known = byId.get(message.id);
    byId.set(message.id, known ? combine(known, message) : message);
  }
  return [...byId.values()].sort(compareChronologically);
}

function addMessages(state: ChatState, messages: ChatMessage[]): ChatState {
  if (messages.length === 0) return state;
  const threads = new Map(state.threads);
  const conversations = new Map(state.conversations);
  const confirmed = new Set(messages.map((m) => m.clientId).filter(Boolean));

  for (const message of messages) {
    const peer = peerOf(message, state.me);
    const thread = threads.get(peer) ?? emptyThread;
    const isNew = !thread.messages.some((known) => known.id === message.id);
    threads.set(peer, { ...thread, messages: mergeMessages(thread.messages, [message]) });

    const conversation = conversations.get(peer);
    const isLatest = !conversation || compareChronologically(conversation.last, message) <= 0;
    // The server's unread count already covers everything up to the summary's last message.
    const afterSummary = !conversation || compareChronologically(conversation.last, message) < 0;
    const unseenIncoming =
      isNew && afterSummary && message.sender !== state.me && peer !== state.openPeer && !message.readAt;
    conversations.set(peer, {
      last: isLatest
        ? conversation?.last.id === message.id
          ? combine(conversation.last, message)
          : message
        : conversation.last,
      unread: (conversation?.unread ?? 0) + (unseenIncoming ? 1 : 0),
    });
  }
  const outbox = state.outbox.filter((entry) => !confirmed.has(entry.clientId));
  return { ...state, threads, conversations, outbox };
}

function updateMessage(state: ChatState, id: string, change: (message: ChatMessage) => ChatMessage): ChatState {
  for (const [peer, thread] of state.threads) {
    const index = thread.messages.findIndex((message) => message.id === id);
    if (index === -1) continue;
    const messages = thread.messages.slice();
    messages[index] = change(messages[index]!);
    const conversation = state.conversations.get(peer);
    const conversations =
      conversation?.last.id === id
        ? withEntry(state.conversations, peer, { ...conversation, last: messages[index]! })
        : state.conversations;
    return { ...state, threads: withEntry(state.threads, peer, { ...thread, messages }), conversations };
  }
  return state;
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "users":
      return { ...state, users: new Map(action.users.map((user) => [user.username, user])) };
    case "conversations": {
      const conversations = new Map(state.conversations);
      for (const { peer, last, unread } of action.conversations) {
        conversations.set(peer, { last, unread: peer === state.openPeer ? 0 : unread });
      }
      return { ...state, conversations };
    }
    case "presence": {
      const users = new Map(state.users);
      for (const { username, online, lastSeen } of action.events) {
        users.set(username, { ...(users.get(username) ?? { username }), online, lastSeen });
      }
      return { ...state, users };
    }
    case "open": {
      if (!action.peer) return { ...state, openPeer: null };
      const conversation = state.conversations.get(action.peer);
      const conversations = conversation
        ? withEntry(state.conversations, action.peer, { ...conversation, unread: 0 })
        : state.conversations;
      return { ...state, openPeer: action.peer, conversations };
    }
    case "messages":
      return addMessages(state, action.messages);
    case "history": {
      const withMessages = addMessages(state, action.messages);
      const thread = withMessages.threads.get(action.peer) ?? emptyThread;
      // A newest-page refetch (after a reconnect) says nothing about older pages.
      const hasOlder = action.older || !thread.loaded ? action.messages.length >= action.pageSize : thread.hasOlder;
      return {
        ...withMessages,
        threads: withEntry(withMessages.threads, action.peer, {
          ...thread,
          loaded: true,
          hasOlder,
          loadingOlder: false,
        }),
      };
    }
    case "loadingOlder": {
      const thread = state.threads.get(action.peer) ?? emptyThread;
      return { ...state, threads: withEntry(state.threads, action.peer, { ...thread, loadingOlder: true }) };
    }
    case "status": {
      const { by, status } = action.event;
      // A group message: one member's receipt, added to the sender's summary ("delivered to 2 of 3").
      if (by)
        return updateMessage(state, action.event.id, (message) => {
          const receipts = message.receipts ?? { recipients: 0, deliveredTo: [], readBy: [] };
          return {
            ...message,
            receipts: {
              ...receipts,
              deliveredTo: addName(receipts.deliveredTo, by),
              readBy: status === "read" ? addName(receipts.readBy, by) : receipts.readBy,
            },
          };
        });
      return updateMessage(state, action.event.id, (message) => ({
        ...message,
        deliveredAt: message.deliveredAt ?? action.at,
        readAt: status === "read" ? (message.readAt ?? action.at) : message.readAt,
      }));
    }
    case "readByMe": {
      const thread = state.threads.get(action.peer);
      if (!thread) return state;
      const theirs = (m: ChatMessage) => (isGroup(action.peer) ? m.sender !== state.me : m.sender === action.peer);
      const messages = thread.messages.map((m) => (theirs(m) && !m.readAt ? { ...m, readAt: action.at } : m));
      return { ...state, threads: withEntry(state.threads, action.peer, { ...thread, messages }) };
    }
    case "typing": {
      const key = typingKey(action);
      if (state.typing.has(key) === action.typing) return state;
      const typing = new Set(state.typing);
      if (action.typing) typing.add(key);
      else typing.delete(key);
      return { ...state, typing };
    }
    case "groups":
      return { ...state, groups: new Map(action.groups.map((group) => [`#${group.name}`, group])) };
    case "group": {
      const renamed = action.previousName
        ? renameGroup(state, `#${action.previousName}`, `#${action.group.name}`)
        : state;
      const groups = new Map(renamed.groups);
      if (action.previousName) groups.delete(`#${action.previousName}`);
      groups.set(`#${action.group.name}`, action.group);
      return { ...renamed, groups };
    }
    case "groupLeft": {
      const key = `#${action.name}`;
      const groups = new Map(state.groups);
      groups.delete(key);
      const conversations = new Map(state.conversations);
      conversations.delete(key);
      const threads = new Map(state.threads);
      threads.delete(key);
      return { ...state, groups, conversations, threads, openPeer: state.openPeer === key ? null : state.openPeer };
    }
    case "connection":
      return { ...state, connection: action.connection };
    case "outbox":
      return { ...state, outbox: [...state.outbox, action.message] };
    case "outboxState":
      return {
        ...state,
        outbox: state.outbox.map((entry) =>
          entry.clientId === action.clientId
            ? { ...entry, state: action.state, error: action.error, retryable: action.retryable }
            : entry,
        ),
      };
    case "outboxRemove":
      return { ...state, outbox: state.outbox.filter((entry) => entry.clientId !== action.clientId) };
    case "notice":
      return { ...state, notice: action.text === null ? null : { id: (state.notice?.id ?? 0) + 1, text: action.text } };
    case "checkResults":
      return { ...state, checkResults: action.messages };
  }
}
