import { parseDeviceCommand, parseInput } from "@/lib/contract/commands";

describe("parseInput", () => {
  test.each([
    ["alice: hello", { kind: "send", destination: "alice", message: "hello" }],
    ["alice:hello", { kind: "send", destination: "alice", message: "hello" }],
    ["  bob:   spaced out  ", { kind: "send", destination: "bob", message: "spaced out" }],
    ["thermometer1: subscribe", { kind: "send", destination: "thermometer1", message: "subscribe" }],
    ["bob: time is 10:30", { kind: "send", destination: "bob", message: "time is 10:30" }],
    ["bob: line one\nline two", { kind: "send", destination: "bob", message: "line one\nline two" }],
    ["just text", { kind: "text", message: "just text" }],
    ["not a name: hi", { kind: "text", message: "not a name: hi" }],
    ["!check", { kind: "check" }],
    ["!who", { kind: "who" }],
    ["!help", { kind: "help" }],
    ["!history alice", { kind: "history", username: "alice" }],
    ["exit", { kind: "exit" }],
    ["", { kind: "empty" }],
    ["   ", { kind: "empty" }],
  ])("%j", (input, expected) => {
    expect(parseInput(input)).toEqual(expected);
  });

  test("explains mistakes instead of guessing", () => {
    expect(parseInput("bob:")).toEqual({ kind: "error", error: "Nothing to send to 'bob'." });
    expect(parseInput("!history")).toEqual({ kind: "error", error: "Usage: !history <username>" });
    expect(parseInput("!nope")).toEqual({ kind: "error", error: "Unknown command !nope. Type !help for the list." });
  });
});

test("device commands are single words, case-insensitive; anything else is unknown", () => {
  expect(parseDeviceCommand("subscribe")).toBe("subscribe");
  expect(parseDeviceCommand("  RANGE ")).toBe("range");
  expect(parseDeviceCommand("reboot now")).toBeUndefined();
  expect(parseDeviceCommand("make coffee")).toBeUndefined();
});
