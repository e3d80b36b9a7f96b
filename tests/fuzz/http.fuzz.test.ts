/**
 * The fuzz suite's HTTP half: every route's bodies, query strings and device paths, random and adversarial
 * (fuzz-server.ts says what is checked).
 */
import fc from "fast-check";
import { DEFAULT_MAX_BODY_BYTES } from "@/server/http/body";
import { login } from "../support/clients";
import { expectClearResponse, expectServingAndWellFormed, startFuzzServer } from "./fuzz-server";
import { FUZZ_RUNS, hostileString, hostileValue } from "./hostile-values";

const LOGOUT_RUNS = 300;

/** fetch's own failure when the server closed the connection while the request was still being written. */
function wasCutOff(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return code === "EPIPE" || code === "ECONNRESET";
}

const fuzz = startFuzzServer();

const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "",
  "application/json; charset=utf-16",
];

describe.each([
  ["POST", "/api/session", false],
  ["POST", "/api/messages", true],
  ["POST", "/api/messages/read", true],
  ["POST", "/api/messages/check", true],
  ["DELETE", "/api/session", true],
])("HTTP %s %s", (method, route, authenticated) => {
  test("answers every body with a success or a clear JSON error", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileValue.map((value) => JSON.stringify(value) ?? ""),
          hostileString,
          fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
        ),
        fc.constantFrom(...CONTENT_TYPES),
        async (body, contentType) => {
          // Each case logs in again for DELETE, which ends the session it uses.
          const token =
            method === "DELETE" ? (await login(fuzz.server.url, fuzz.bob.username)).token : fuzz.alice.token;
          const response = await fetch(fuzz.server.url + route, {
            method,
            body,
            headers: { "content-type": contentType, ...(authenticated ? { authorization: `Bearer ${token}` } : {}) },
          }).catch((error: unknown) => {
            // A body over the limit is answered 413 and its connection closed at once, without reading the rest
            // (docs/protocol.md, Bodies): a client still writing it may see the connection cut instead of the answer.
            if (Buffer.byteLength(body) > DEFAULT_MAX_BODY_BYTES && wasCutOff(error)) return undefined;
            throw error;
          });
          if (response) await expectClearResponse(response);
        },
      ),
      // Logout ignores its body and each case needs a fresh session (a password hash, ~100 ms), so it gets fewer.
      { numRuns: method === "DELETE" ? Math.min(FUZZ_RUNS, LOGOUT_RUNS) : FUZZ_RUNS },
    );
  });
});

describe.each([
  ["/api/messages", ["with", "before", "limit"]],
  ["/api/thermometers/thermometer1/readings", ["limit", "since"]],
  ["/api/users", ["x"]],
  ["/api/conversations", ["x"]],
])("HTTP GET %s", (route, keys) => {
  test("answers every query string with a success or a clear JSON error", async () => {
    const key = fc.oneof(fc.constantFrom(...keys, "__proto__", "constructor"), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, hostileString), { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams(pairs.map(([k, v]) => [k, v.slice(0, 2_000)])).toString();
        const response = await fetch(`${fuzz.server.url}${route}?${query}`, {
          headers: { authorization: `Bearer ${fuzz.alice.token}` },
        });
        await expectClearResponse(response);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

test("device paths with hostile names answer 404 or a clear error", async () => {
  await fc.assert(
    fc.asyncProperty(hostileString, async (name) => {
      const response = await fetch(
        `${fuzz.server.url}/api/thermometers/${encodeURIComponent(name.slice(0, 500))}/readings`,
        {
          headers: { authorization: `Bearer ${fuzz.alice.token}` },
        },
      );
      await expectClearResponse(response);
    }),
    { numRuns: FUZZ_RUNS },
  );
});

test("afterwards the server still serves, and everything stored is well-formed", () =>
  expectServingAndWellFormed(fuzz));
