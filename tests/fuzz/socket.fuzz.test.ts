/**
 * The fuzz suite's socket half: every request event, and typing and unknown events, with random and
 * adversarial payloads (fuzz-server.ts says what is checked).
 */
import fc from "fast-check";
import {
  expectClearAck,
  expectServingAndWellFormed,
  MAX_PACKET_BYTES,
  packetSize,
  plausibleSend,
  startFuzzServer,
} from "./fuzz-server";
import { FUZZ_RUNS, hostileObject, hostileValue } from "./hostile-values";

const fuzz = startFuzzServer();

describe.each([
  ["message:send", fc.oneof(hostileObject(["destination", "message", "clientId"]), plausibleSend)],
  ["message:read", hostileObject(["with"])],
  ["check", hostileValue],
])("socket %s", (event, payloads) => {
  test("answers every payload with a clear ack, or closes an oversized packet", async () => {
    await fc.assert(
      fc.asyncProperty(payloads, async (payload) => {
        const client = await fuzz.liveSocket();
        try {
          expectClearAck(await client.socket.timeout(5_000).emitWithAck(event, payload));
        } catch (error) {
          if (packetSize(event, [payload]) <= MAX_PACKET_BYTES) throw error; // a small payload must be answered
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

test("socket: typing and unknown events with any payload leave the connection working", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("typing", "message", "presence", "__proto__", "constructor", "disconnect_me"),
      fc.array(hostileValue, { maxLength: 3 }),
      async (event, args) => {
        const client = await fuzz.liveSocket();
        client.socket.emit(event, ...args);
        if (packetSize(event, args) > MAX_PACKET_BYTES) {
          // The server closes the connection; wait for it so the next case starts on a fresh one.
          await new Promise((resolve) => {
            client.socket.once("disconnect", resolve);
            setTimeout(resolve, 2_000);
          });
          return;
        }
        expectClearAck(await client.socket.timeout(5_000).emitWithAck("message:read", { with: fuzz.bob.username }));
      },
    ),
    { numRuns: FUZZ_RUNS },
  );
});

test("afterwards the server still serves, and everything stored is well-formed", () =>
  expectServingAndWellFormed(fuzz));
