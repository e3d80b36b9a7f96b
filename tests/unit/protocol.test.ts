import { checkSchema, loginSchema, readingsQuerySchema, sendMessageSchema } from "@/lib/contract/schemas";
import { describeError, parsePayload } from "@/lib/contract/parse";
import { offlineNotice, USERNAME_PATTERN } from "@/lib/contract/names";
import type { z } from "zod";
import { ChatError } from "@/lib/errors";

describe("usernames", () => {
  test.each(["alice", "Bob_2", "a.b-c", "x", "a".repeat(32), "thermometer1"])("%s is valid", (name) => {
    expect(USERNAME_PATTERN.test(name)).toBe(true);
  });
  test.each(["", " ", "has space", "colon:name", "a".repeat(33), "émile", "tab\tname", "new\nline"])(
    "%j is invalid",
    (name) => {
      expect(USERNAME_PATTERN.test(name)).toBe(false);
    },
  );
});

describe("message:send payloads", () => {
  const valid = { destination: "bob", message: "hello!" };
  test("a valid payload passes through unchanged", () => {
    expect(sendMessageSchema.parse(valid)).toEqual(valid);
    expect(sendMessageSchema.parse({ ...valid, clientId: "abc" })).toEqual({ ...valid, clientId: "abc" });
  });
  test.each([
    [{ ...valid, message: "" }, "message must not be empty"],
    [{ ...valid, message: " \n " }, "message must not be empty"],
    [{ ...valid, message: "x".repeat(4001) }, "message must be at most 4000 characters"],
    [{ ...valid, message: 1 }, "message must be a string"],
    [{ destination: "bob" }, "message is required"],
    [{ ...valid, sender: "mallory" }, "unknown field: sender"],
    [{ ...valid, destination: "not valid" }, "destination: username must be 1–32 letters, digits, '_', '.' or '-'"],
    ["hello", "expected a JSON object"],
    [null, "expected a JSON object"],
  ])("%j → %s", (payload, error) => {
    const result = sendMessageSchema.safeParse(payload);
    expect(result.success).toBe(false);
    expect(describeError(result.error!)).toBe(error);
  });
  test("4000 characters is the limit, inclusive", () => {
    expect(sendMessageSchema.safeParse({ ...valid, message: "x".repeat(4000) }).success).toBe(true);
  });
});

describe("control characters", () => {
  const valid = { destination: "bob", message: "hello!" };
  const refusal = (field: string) => `${field} must not contain control characters (only newline and tab)`;

  test.each([["\u0000"], ["\u0007"], ["\u001b[2J"], ["\r"], ["\u000b"], ["\u007f"], ["\u0085"], ["\u009b"]])(
    "%j is refused in message text, clientId and passwords",
    (control) => {
      const cases: [z.ZodType, unknown, string][] = [
        [sendMessageSchema, { ...valid, message: `a${control}b` }, refusal("message")],
        [sendMessageSchema, { ...valid, clientId: `id${control}` }, refusal("clientId")],
        [loginSchema, { username: "a", password: `pw${control}` }, refusal("password")],
      ];
      for (const [schema, payload, error] of cases) {
        const result = schema.safeParse(payload);
        expect(result.success).toBe(false);
        expect(describeError(result.error!)).toBe(error);
      }
    },
  );

  test("newline and tab are text", () => {
    expect(sendMessageSchema.safeParse({ ...valid, message: "two\nlines\tand a tab" }).success).toBe(true);
    expect(loginSchema.safeParse({ username: "a", password: "tab\there" }).success).toBe(true);
  });

  test("printable Unicode passes", () => {
    expect(sendMessageSchema.safeParse({ ...valid, message: "héllo – 20 °C ✓ 🙂" }).success).toBe(true);
  });
});

test("check takes nothing, or the cursor an earlier page gave", () => {
  expect(checkSchema.parse(undefined)).toEqual({});
  expect(checkSchema.parse({})).toEqual({});
  expect(checkSchema.parse({ after: "1764102000000.cmwwkva7n0003cx7dl8zeq67z" })).toEqual({
    after: "1764102000000.cmwwkva7n0003cx7dl8zeq67z",
  });
  expect(describeError(checkSchema.safeParse({ after: "nope" }).error!)).toBe(
    "after must be the next cursor of an earlier check",
  );
  expect(describeError(checkSchema.safeParse({ before: "x" }).error!)).toBe("unknown field: before");
});

test("login payloads need a username and a non-empty password and nothing else", () => {
  expect(loginSchema.safeParse({ username: "a", password: "p" }).success).toBe(true);
  expect(describeError(loginSchema.safeParse({ username: "a" }).error!)).toBe("password is required");
  expect(describeError(loginSchema.safeParse({ username: "a", password: "" }).error!)).toBe(
    "password must not be empty",
  );
  expect(describeError(loginSchema.safeParse({ username: "a", password: "p", role: "admin" }).error!)).toBe(
    "unknown field: role",
  );
});

test("readings queries coerce and bound the limit and accept ISO 8601 times only", () => {
  expect(readingsQuerySchema.parse({})).toEqual({ limit: 100 });
  expect(readingsQuerySchema.parse({ limit: "5", since: "2026-11-25T10:00:00.000Z" })).toEqual({
    limit: 5,
    since: "2026-11-25T10:00:00.000Z",
  });
  expect(readingsQuerySchema.safeParse({ limit: "1001" }).success).toBe(false);
  expect(readingsQuerySchema.safeParse({ since: "yesterday" }).success).toBe(false);
});

test("parsePayload throws a 400 ChatError that says what is wrong", () => {
  expect(() => parsePayload(loginSchema, 7)).toThrow(new ChatError(400, "expected a JSON object"));
  try {
    parsePayload(loginSchema, 7);
  } catch (error) {
    expect(ChatError.is(error)).toBe(true);
    expect((error as ChatError).status).toBe(400);
  }
});

test("the offline notice uses the seed's exact words", () => {
  expect(offlineNotice("Joe")).toBe("User 'Joe' is offline. Message saved.");
});
