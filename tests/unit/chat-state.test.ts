/** The page's state rules: each message once, whichever way it arrives, and conversations that add up. */
import { chatReducer, initialChatState, mergeMessages, type ChatState } from "@/app/client/chat-state";
import { appendReading, READINGS_WINDOW } from "@/app/client/use-thermometers";
import type { ChatMessage } from "@/lib/protocol";

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
  expect(state.threads.bob!.messages.map((m) => m.id)).toEqual(["m1"]);
  expect(state.outbox).toEqual([]);
  expect(state.conversations.bob).toMatchObject({ unread: 0, last: { id: "m1" } });
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
  expect(state.conversations.bob!.unread).toBe(2);
  state = apply(state, { type: "open", peer: "bob" }, { type: "messages", messages: [message("m3", "bob", "alice")] });
  expect(state.conversations.bob!.unread).toBe(0);
  expect(state.conversations.bob!.last.id).toBe("m3");
});

test("status events advance my message to delivered, then read, and never back", () => {
  const at = "2030-01-01T11:00:00.000Z";
  let state = apply(initialChatState("alice"), { type: "messages", messages: [message("m1", "alice", "bob")] });
  state = apply(
    state,
    { type: "status", event: { id: "m1", status: "read" }, at },
    { type: "status", event: { id: "m1", status: "delivered" }, at: "2031-01-01T00:00:00.000Z" },
  );
  expect(state.threads.bob!.messages[0]).toMatchObject({ deliveredAt: at, readAt: at });
  expect(state.conversations.bob!.last.readAt).toBe(at);
});

test("older pages are prepended in order and say when the beginning is reached", () => {
  let state = apply(initialChatState("alice"), {
    type: "history",
    peer: "bob",
    messages: [message("m3", "bob", "alice"), message("m4", "alice", "bob")],
    older: false,
    pageSize: 2,
  });
  expect(state.threads.bob!.hasOlder).toBe(true);
  state = apply(state, {
    type: "history",
    peer: "bob",
    messages: [message("m1", "bob", "alice")],
    older: true,
    pageSize: 2,
  });
  expect(state.threads.bob!.messages.map((m) => m.id)).toEqual(["m1", "m3", "m4"]);
  expect(state.threads.bob!.hasOlder).toBe(false);
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
  expect(state.conversations.carol!.unread).toBe(1);
  expect(
    apply(state, { type: "messages", messages: [message("m2", "carol", "alice")] }).conversations.carol!.unread,
  ).toBe(2);
});
