/**
 * What a hostile client sends: every JSON shape, plus the values that have broken servers before —
 * huge strings, deep nesting, prototype keys, control characters, other people's names.
 */
import fc from "fast-check";

/** How many cases each target gets: a few hundred on every `npm test`, 10,000 in the fault run. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];
const CONTROL_CHARACTERS = [
  "\u0000",
  "\u0007",
  "\u001b[2J",
  "\u001b]0;title\u0007",
  "\u009b",
  "\r",
  "\u2028",
  "\ufeff",
];

const controlText = fc
  .array(fc.oneof(fc.constantFrom(...CONTROL_CHARACTERS), fc.string({ maxLength: 8 })), { maxLength: 8 })
  .map((parts) => parts.join(""));

const hugeText = fc.integer({ min: 4_001, max: 200_000 }).map((length) => "x".repeat(length));

/** JSON text nested far deeper than a client library would build (a raw attacker can send it). */
const deeplyNestedText = fc
  .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom(["[", "]"], ['{"a":', "}"]))
  .map(([depth, [open, close]]) => open!.repeat(depth) + close!.repeat(depth));

/** A string a hostile client might put in any field. */
export const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  controlText,
  hugeText,
  deeplyNestedText,
  fc.constantFrom(...PROTOTYPE_KEYS, "", " ", "thermometer1", "THERMOMETER1", "../../etc/passwd", "%E0%A4%A", "#team"),
);

/** Nesting far deeper than any real payload. */
const deeplyNested = fc.integer({ min: 100, max: 1_000 }).map((depth) => {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
});

/** An object with prototype keys as own keys, as JSON.parse would make it. */
const prototypeKeyed = fc
  .dictionary(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue(), { minKeys: 1 })
  .map((entries) => JSON.parse(JSON.stringify(entries)) as unknown);

/** Any value at all, biased towards the shapes above. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  hostileString,
  deeplyNested,
  prototypeKeyed,
  fc.constantFrom(null, undefined, 0, -1, Number.MAX_SAFE_INTEGER, true, [], {}),
);

/** An object shaped like a real payload with the given field names, each field hostile or missing. */
export function hostileObject(fields: string[]): fc.Arbitrary<unknown> {
  const record = Object.fromEntries(fields.map((field) => [field, hostileValue]));
  return fc.oneof(
    fc.record(record, { requiredKeys: [] }),
    fc.tuple(fc.record(record, { requiredKeys: [] }), prototypeKeyed).map(([a, b]) => ({ ...(b as object), ...a })),
    hostileValue,
  );
}
