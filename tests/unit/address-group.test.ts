/**
 * The group a per-address budget keys by: IPv4 itself, IPv4-mapped IPv6 as its IPv4, IPv6 by its /64 in one
 * canonical form whatever the spelling, anything else as it is.
 */
import { isIP } from "node:net";
import fc from "fast-check";
import { addressGroup } from "@/lib/limits/address-group";

test("an IPv4 address is its own group", () => {
  expect(addressGroup("192.0.2.1")).toBe("192.0.2.1");
  expect(addressGroup("192.0.2.2")).toBe("192.0.2.2");
  expect(addressGroup("0.0.0.0")).toBe("0.0.0.0");
});

test.each([
  "::ffff:192.0.2.1",
  "::FFFF:192.0.2.1",
  "::ffff:c000:201",
  "0:0:0:0:0:ffff:c000:0201",
  "::ffff:192.0.2.1%eth0",
])("the IPv4-mapped %j counts as the IPv4 address it maps", (mapped) => {
  expect(addressGroup(mapped)).toBe("192.0.2.1");
});

test.each([
  ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
  ["2001:DB8:1:2::ABCD", "2001:db8:1:2::/64"],
  ["2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"],
  ["2001:db8::1", "2001:db8::/64"],
  ["2001:db8:0:0:ffff:ffff:ffff:ffff", "2001:db8::/64"],
  ["2001:db8:0:1::", "2001:db8:0:1::/64"],
  ["0:0:1:0::", "0:0:1::/64"],
  ["1:0:0:1::", "1:0:0:1::/64"],
  ["fe80::1%eth0", "fe80::/64"],
  ["::1", "::/64"],
  ["::", "::/64"],
  ["2001:db8:1:2:3:4:192.0.2.1", "2001:db8:1:2::/64"],
])("the IPv6 address %j is grouped as %j", (address, group) => {
  expect(addressGroup(address)).toBe(group);
});

test("addresses in different /64s are in different groups, however close", () => {
  expect(addressGroup("2001:db8:1:2::1")).not.toBe(addressGroup("2001:db8:1:3::1"));
  expect(addressGroup("2001:db8:1:2:ffff:ffff:ffff:ffff")).not.toBe(addressGroup("2001:db8:1:3::"));
});

test.each(["unknown", "", "__proto__", "constructor", "toString", "hasOwnProperty", "[2001:db8::1]", "192.0.2.1:443"])(
  "%j is not an IP address and stays its own key",
  (text) => {
    expect(addressGroup(text)).toBe(text);
  },
);

test("leading zeros or a shorthand do not pass for an IPv4 address", () => {
  expect(addressGroup("192.000.002.001")).toBe("192.000.002.001");
  expect(addressGroup("3221225985")).toBe("3221225985");
});

// Every spelling of a random address: zeros padded or not, either case, any one run of zeros compressed, the last
// 32 bits as a dotted quad or not.
const hextet = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const spelling = fc.record({
  padded: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  compress: fc.nat(),
  dotted: fc.boolean(),
});
type Spelling = typeof spelling extends fc.Arbitrary<infer T> ? T : never;

function spell(hextets: number[], how: Spelling): string {
  const texts = hextets.map((value, i) => {
    const hex = value.toString(16).padStart(how.padded[i] ? 4 : 1, "0");
    return how.upper[i] ? hex.toUpperCase() : hex;
  });
  let tail: string[] = [];
  if (how.dotted) {
    const [high, low] = [hextets[6]!, hextets[7]!];
    tail = [[high >> 8, high & 0xff, low >> 8, low & 0xff].join(".")];
    texts.splice(6, 2);
  }
  const zeroRuns: [number, number][] = [];
  for (let start = 0; start < texts.length; start += 1) {
    let end = start;
    while (end < texts.length && hextets[end] === 0) end += 1;
    if (end > start) zeroRuns.push([start, end]);
    start = end;
  }
  if (zeroRuns.length > 0 && how.compress % 2 === 0) {
    const [start, end] = zeroRuns[how.compress % zeroRuns.length]!;
    return `${texts.slice(0, start).join(":")}::${[...texts.slice(end), ...tail].join(":")}`;
  }
  return [...texts, ...tail].join(":");
}

/** The WHATWG URL parser's serialisation, which also follows RFC 5952: an independent canonical form. */
const urlForm = (hextets: number[]) => new URL(`http://[${hextets.map((h) => h.toString(16)).join(":")}]`).hostname;

test("every spelling of an IPv6 address lands in one group: its /64 in canonical form", () => {
  fc.assert(
    fc.property(fc.array(hextet, { minLength: 8, maxLength: 8 }), spelling, spelling, (hextets, one, other) => {
      fc.pre(!(hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff)); // mapped IPv4: tested above
      const [a, b] = [spell(hextets, one), spell(hextets, other)];
      expect(isIP(a)).toBe(6);
      expect(isIP(b)).toBe(6);
      const prefix = [...hextets.slice(0, 4), 0, 0, 0, 0];
      expect(addressGroup(a)).toBe(`${urlForm(prefix).slice(1, -1)}/64`);
      expect(addressGroup(b)).toBe(addressGroup(a));
    }),
    { numRuns: 2_000 },
  );
});

test("two addresses share a group exactly when their first 64 bits agree", () => {
  const address = fc.array(hextet, { minLength: 8, maxLength: 8 });
  const isMapped = (h: number[]) => h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff;
  const group = (h: number[]) => addressGroup(h.map((x) => x.toString(16)).join(":"));
  fc.assert(
    fc.property(address, address, fc.boolean(), (one, another, sharePrefix) => {
      // Half the time the second address is moved into the first one's /64, so both answers are tried often.
      const other = sharePrefix ? [...one.slice(0, 4), ...another.slice(4)] : another;
      fc.pre(!isMapped(one) && !isMapped(other));
      const samePrefix = one.slice(0, 4).every((h, i) => h === other[i]);
      expect(group(one) === group(other)).toBe(samePrefix);
    }),
    { numRuns: 2_000 },
  );
});
