/**
 * The page's state rules: each message once, whichever way it arrives, and conversations that add up,
 * whatever the people and devices are called.
 */
import {
  chatReducer,
  initialChatState,
  mergeMessages,
  peerOf,
  type ChatAction,
  type ChatState,
} from "@/app/client/chat-state";
import {
  appendReading,
  READINGS_WINDOW,
  type ReadingsByDevice,
  withHistory,
  withReading,
} from "@/app/client/use-thermometers";
import type { ChatMessage } from "@/lib/contract/payloads";

function message(id: string, sender: string, destination: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id,
    sender,
    destination,
    message: `text ${id}`,
    timestamp: `2030-01-01T10:00:0${id.slice(-1)}.000Z`,
    type: "chat",
    metadata: null,
    deliveredAt: null,
    readAt: null,
    ...extra,
  };
}

const apply = (state: ChatState, ...actions: Parameters<typeof chatReducer>[1][]) => actions.reduce(chatReducer, state);

test("the ack, the echo and a history page of one message leave one copy, and its queued entry is gone", () => {
  const sent = message("m1", "alice", "bob", { clientId: "c1" });
  const state = apply(
    initialChatState("alice"),
    {
      type: "outbox",
      message: { clientId: "c1", destination: "bob", message: "text m1", timestamp: sent.timestamp, state: "sending" },
    },
    { type: "messages", messages: [sent] },
    { type: "messages", messages: [{ ...sent }] },
    { type: "history", peer: "bob", messages: [{ ...sent, clientId: undefined }], older: false, pageSize: 50 },
  );
  expect(state.threads.get("bob")!.messages.map((m) => m.id)).toEqual(["m1"]);
  expect(state.outbox).toEqual([]);
  expect(state.conversations.get("bob")).toMatchObject({ unread: 0, last: { id: "m1" } });
});

test("a stored copy keeps its Stored mark when the history copy (without it) arrives later, and the reverse", () => {
  const stored = { ...message("m1", "bob", "alice"), stored: true as const };
  const plain = message("m1", "bob", "alice");
  expect(mergeMessages([stored], [plain])[0]!.stored).toBe(true);
  expect(mergeMessages([plain], [stored])[0]!.stored).toBe(true);
});

test("incoming messages count as unread unless their conversation is open; opening clears the count", () => {
  let state = apply(initialChatState("alice"), {
    type: "messages",
    messages: [message("m1", "bob", "alice"), message("m2", "bob", "alice")],
  });
  expect(state.conversations.get("bob")!.unread).toBe(2);
  state = apply(state, { type: "open", peer: "bob" }, { type: "messages", messages: [message("m3", "bob", "alice")] });
  expect(state.conversations.get("bob")!.unread).toBe(0);
  expect(state.conversations.get("bob")!.last.id).toBe("m3");
});

test("status events advance my message to delivered, then read, and never back", () => {
  const at = "2030-01-01T11:00:00.000Z";
  let state = apply(initialChatState("alice"), { type: "messages", messages: [message("m1", "alice", "bob")] });
  state = apply(
    state,
    { type: "status", event: { id: "m1", status: "read" }, at },
    { type: "status", event: { id: "m1", status: "delivered" }, at: "2031-01-01T00:00:00.000Z" },
  );
  expect(state.threads.get("bob")!.messages[0]).toMatchObject({ deliveredAt: at, readAt: at });
  expect(state.conversations.get("bob")!.last.readAt).toBe(at);
});

test("older pages are prepended in order and say when the beginning is reached", () => {
  let state = apply(initialChatState("alice"), {
    type: "history",
    peer: "bob",
    messages: [message("m3", "bob", "alice"), message("m4", "alice", "bob")],
    older: false,
    pageSize: 2,
  });
  expect(state.threads.get("bob")!.hasOlder).toBe(true);
  state = apply(state, {
    type: "history",
    peer: "bob",
    messages: [message("m1", "bob", "alice")],
    older: true,
    pageSize: 2,
  });
  expect(state.threads.get("bob")!.messages.map((m) => m.id)).toEqual(["m1", "m3", "m4"]);
  expect(state.threads.get("bob")!.hasOlder).toBe(false);
});

test("the readings window keeps the newest points only and drops repeats", () => {
  const reading = (second: number) => ({
    device: "t",
    value: second,
    unit: "°C",
    timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, second)).toISOString(),
  });
  let readings = Array.from({ length: READINGS_WINDOW }, (_, i) => reading(i % 60)).map((r, i) => ({
    ...r,
    timestamp: new Date(Date.UTC(2030, 0, 1) + i * 1000).toISOString(),
  }));
  const newest = { ...reading(0), timestamp: new Date(Date.UTC(2030, 0, 2)).toISOString() };
  readings = appendReading(readings, newest);
  expect(readings).toHaveLength(READINGS_WINDOW);
  expect(readings[readings.length - 1]).toBe(newest);
  expect(appendReading(readings, newest)).toBe(readings);
});

test("a stored message that the conversation summary already counted is not counted twice", () => {
  const waiting = { ...message("m1", "carol", "alice"), stored: true as const };
  const state = apply(
    initialChatState("alice"),
    { type: "conversations", conversations: [{ peer: "carol", last: message("m1", "carol", "alice"), unread: 1 }] },
    { type: "messages", messages: [waiting] },
  );
  expect(state.conversations.get("carol")!.unread).toBe(1);
  expect(
    apply(state, { type: "messages", messages: [message("m2", "carol", "alice")] }).conversations.get("carol")!.unread,
  ).toBe(2);
});

// ── People and devices named like Object.prototype's members ────────────────────────────────────
// Valid usernames (and device names) that a plain object would answer from Object.prototype.

const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
const AT = "2030-01-01T11:00:00.000Z";

/** Each action, built around one name: the compiler insists on a line for every kind of action. */
const ACTION_WITH: { [T in ChatAction["type"]]: (name: string, me: string) => Extract<ChatAction, { type: T }> } = {
  users: (name, me) => ({
    type: "users",
    users: [
      { username: me, online: true, lastSeen: null },
      { username: name, online: false, lastSeen: AT },
    ],
  }),
  conversations: (name, me) => ({
    type: "conversations",
    conversations: [{ peer: name, last: message("s1", name, me), unread: 1 }],
  }),
  presence: (name) => ({ type: "presence", events: [{ username: name, online: true, lastSeen: AT }] }),
  open: (name) => ({ type: "open", peer: name }),
  messages: (name, me) => ({ type: "messages", messages: [message("m2", name, me), message("m3", me, name)] }),
  history: (name, me) => ({
    type: "history",
    peer: name,
    messages: [message("m1", me, name)],
    older: false,
    pageSize: 50,
  }),
  loadingOlder: (name) => ({ type: "loadingOlder", peer: name }),
  status: () => ({ type: "status", event: { id: "m3", status: "read" }, at: AT }),
  readByMe: (name) => ({ type: "readByMe", peer: name, at: AT }),
  typing: (name) => ({ type: "typing", username: name, typing: true }),
  connection: () => ({ type: "connection", connection: "online" }),
  outbox: (name) => ({
    type: "outbox",
    message: { clientId: "c1", destination: name, message: "hi", timestamp: AT, state: "queued" },
  }),
  outboxState: () => ({ type: "outboxState", clientId: "c1", state: "failed", error: "no" }),
  outboxRemove: () => ({ type: "outboxRemove", clientId: "c1" }),
  notice: (name) => ({ type: "notice", text: `hello ${name}` }),
  checkResults: (name, me) => ({ type: "checkResults", messages: [message("m2", name, me)] }),
  groups: (name, me) => ({
    type: "groups",
    groups: [{ name, owner: me, createdAt: AT, members: [{ username: name, joinedAt: AT, online: true }] }],
  }),
  group: (name, me) => ({
    type: "group",
    group: { name, owner: name, createdAt: AT, members: [{ username: me, joinedAt: AT, online: false }] },
    previousName: name,
  }),
  groupLeft: (name) => ({ type: "groupLeft", name }),
};

/** What every state must look like, whatever names it holds: nothing in it came from a prototype. */
function expectWellFormed(state: ChatState): void {
  for (const [username, user] of state.users) expect(user.username).toBe(username);
  for (const thread of state.threads.values()) expect(Array.isArray(thread.messages)).toBe(true);
  for (const [peer, conversation] of state.conversations) {
    expect(typeof conversation.last.id).toBe("string");
    expect(peerOf(conversation.last, state.me)).toBe(peer);
    expect(typeof conversation.unread).toBe("number");
  }
  for (const username of state.typing) expect(typeof username).toBe("string");
}

describe.each(PROTOTYPE_NAMES)("a person named %s", (name) => {
  const prototypeBefore = Object.getOwnPropertyDescriptors(Object.prototype);
  afterEach(() => {
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptors(Object.prototype)).toEqual(prototypeBefore);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  test("is unknown until something about them arrives", () => {
    const state = initialChatState("alice");
    expect(state.users.get(name)).toBeUndefined();
    expect(state.threads.get(name)).toBeUndefined();
    expect(state.conversations.get(name)).toBeUndefined();
    expect(state.typing.has(name)).toBe(false);
    // Opening them, or reading a conversation that is not there, adds nothing.
    const opened = apply(state, { type: "open", peer: name });
    expect(opened.conversations.size).toBe(0);
    expect(apply(opened, { type: "readByMe", peer: name, at: AT }).threads).toBe(opened.threads);
  });

  test("can message me: their conversation, its thread, receipts, typing and replies stay theirs", () => {
    let state = apply(
      initialChatState("alice"),
      ACTION_WITH.users(name, "alice"),
      ACTION_WITH.presence(name, "alice"),
      { type: "messages", messages: [message("m1", name, "alice")] },
    );
    expect(state.users.get(name)).toEqual({ username: name, online: true, lastSeen: AT });
    expect([...state.threads.keys()]).toEqual([name]);
    expect(state.threads.get(name)!.messages.map((m) => m.id)).toEqual(["m1"]);
    expect(state.conversations.get(name)).toMatchObject({ unread: 1, last: { id: "m1" } });

    state = apply(
      state,
      { type: "open", peer: name },
      { type: "readByMe", peer: name, at: AT },
      { type: "history", peer: name, messages: [message("m0", "alice", name)], older: false, pageSize: 1 },
      { type: "messages", messages: [message("m2", "alice", name)] },
      { type: "status", event: { id: "m2", status: "delivered" }, at: AT },
      ACTION_WITH.typing(name, "alice"),
    );
    const thread = state.threads.get(name)!;
    expect(thread.messages.map((m) => m.id)).toEqual(["m0", "m1", "m2"]);
    expect(thread).toMatchObject({ loaded: true, hasOlder: true, loadingOlder: false });
    expect(thread.messages[1]!.readAt).toBe(AT);
    expect(state.conversations.get(name)).toMatchObject({ unread: 0, last: { id: "m2", deliveredAt: AT } });
    expect(state.typing.has(name)).toBe(true);
    expect(apply(state, { type: "typing", username: name, typing: false }).typing.size).toBe(0);
    expect([...state.threads.keys()]).toEqual([name]);
    expect([...state.conversations.keys()]).toEqual([name]);
    expectWellFormed(state);
  });

  test("can be me", () => {
    const state = apply(
      initialChatState(name),
      ACTION_WITH.users("bob", name),
      { type: "messages", messages: [message("m1", "bob", name), message("m2", name, "bob")] },
      { type: "open", peer: "bob" },
    );
    expect([...state.threads.keys()]).toEqual(["bob"]);
    expect(state.conversations.get("bob")).toMatchObject({ unread: 0, last: { id: "m2" } });
    expectWellFormed(state);
  });

  test("every action, fed this name as peer, sender or me, keeps the state well formed", () => {
    for (const me of ["alice", name]) {
      const peer = me === name ? "alice" : name;
      let state = initialChatState(me);
      for (const build of Object.values(ACTION_WITH)) {
        state = chatReducer(state, build(peer, me));
        expectWellFormed(state);
      }
      expect(state.users.get(peer)).toMatchObject({ username: peer, online: true });
      expect([...state.threads.keys()]).toEqual([peer]);
      expect([...state.conversations.keys()]).toEqual([peer]);
      expect(state.threads.get(peer)!.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    }
  });

  test("can be a device whose readings are kept under its name", () => {
    const reading = (second: number) => ({
      device: name,
      value: second,
      unit: "°C",
      timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, second)).toISOString(),
    });
    let readings: ReadingsByDevice = new Map();
    readings = withReading(readings, reading(5));
    readings = withHistory(readings, name, [reading(1), reading(2)]);
    readings = withReading(readings, reading(6));
    expect([...readings.keys()]).toEqual([name]);
    expect(readings.get(name)!.map((r) => r.value)).toEqual([1, 2, 5, 6]);
  });
});
