/** The client's line formats, which must match the original asyncio client's words exactly. */
import {
  connectedLine,
  formatDeviceStatus,
  formatHistory,
  formatIncoming,
  formatLive,
  formatReading,
  formatStored,
  formatTimestamp,
  formatWho,
  offlineNotice,
} from "@/cli/format";
import type { ChatMessage } from "@/lib/contract/payloads";

// Built from local components, so the expected text holds in any time zone.
const at = new Date(2026, 10, 25, 20, 31, 7);
const iso = at.toISOString();

function message(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: "m1",
    sender: "alice",
    destination: "bob",
    message: "hello",
    timestamp: iso,
    type: "chat",
    metadata: null,
    deliveredAt: null,
    readAt: null,
    ...overrides,
  };
}

test("timestamps are local time, zero-padded, seconds included", () => {
  expect(formatTimestamp(iso)).toBe("2026-11-25 20:31:07");
  expect(formatTimestamp(new Date(2027, 0, 2, 3, 4, 5))).toBe("2027-01-02 03:04:05");
  expect(formatTimestamp("not a date")).toBe("not a date");
});

test("a live message is [timestamp][sender] text", () => {
  expect(formatLive(message())).toBe("[2026-11-25 20:31:07][alice] hello");
  expect(formatIncoming(message())).toBe("[2026-11-25 20:31:07][alice] hello");
});

test("a stored message is [Stored] [timestamp][sender] 'text'", () => {
  expect(formatStored(message())).toBe("[Stored] [2026-11-25 20:31:07][alice] 'hello'");
  expect(formatIncoming(message({ stored: true }))).toBe("[Stored] [2026-11-25 20:31:07][alice] 'hello'");
});

test("the offline notice is the original client's sentence", () => {
  expect(offlineNotice("bob")).toBe("User 'bob' is offline. Message saved.");
});

test("device readings and status changes read like messages from the device", () => {
  expect(formatReading({ device: "thermometer1", value: 21.4, unit: "°C", timestamp: iso })).toBe(
    "[2026-11-25 20:31:07][thermometer1] 21.4 °C",
  );
  expect(formatDeviceStatus({ device: "thermometer1", status: "rebooting" }, at)).toBe(
    "[2026-11-25 20:31:07][thermometer1] rebooting",
  );
});

test("!who lists the others who are online, services marked", () => {
  const users = [
    { username: "alice", online: true, lastSeen: null },
    { username: "bob", online: true, lastSeen: null },
    { username: "carol", online: false, lastSeen: iso },
    { username: "thermometer1", online: true, lastSeen: null, service: "thermometer" as const },
  ];
  expect(formatWho(users, "alice")).toBe("Online: bob, thermometer1 (thermometer)");
  expect(formatWho(users.slice(0, 1), "alice")).toBe("Nobody else is online.");
});

test("!history prints the conversation oldest first, or says there is none", () => {
  const reply = message({ id: "m2", sender: "bob", destination: "alice", message: "hi alice" });
  expect(formatHistory([message(), reply], "bob")).toBe(
    "[2026-11-25 20:31:07][alice] hello\n[2026-11-25 20:31:07][bob] hi alice",
  );
  expect(formatHistory([], "bob")).toBe("No messages with 'bob' yet.");
});

test("the connected line names the server and the user", () => {
  expect(connectedLine("http://localhost:3000", "alice")).toBe(
    "Connected to http://localhost:3000 as alice. Type !help for commands.",
  );
});

describe("what another person wrote cannot take over the terminal", () => {
  test("control characters are shown as \\xHH, tabs stay", () => {
    expect(formatLive(message({ message: "\u001b[2J\u001b]0;pwned\u0007ok\tthen\r\u009b\u007f" }))).toBe(
      "[2026-11-25 20:31:07][alice] \\x1b[2J\\x1b]0;pwned\\x07ok\tthen\\x0d\\x9b\\x7f",
    );
  });

  test("continuation lines are marked, so they cannot pass for another sender's line", () => {
    const forged = message({ message: "hi\n[2026-01-01 00:00:00][carol] fake" });
    expect(formatLive(forged)).toBe("[2026-11-25 20:31:07][alice] hi\n  | [2026-01-01 00:00:00][carol] fake");
    expect(formatStored(forged)).toBe(
      "[Stored] [2026-11-25 20:31:07][alice] 'hi\n  | [2026-01-01 00:00:00][carol] fake'",
    );
    expect(formatHistory([forged], "alice").split("\n")).toEqual([
      "[2026-11-25 20:31:07][alice] hi",
      "  | [2026-01-01 00:00:00][carol] fake",
    ]);
  });
});
