/**
 * The group of client addresses that one per-address budget covers: what one party can be assumed to hold.
 *
 * - An IPv4 address is its own group: one address is what a home or an office gets.
 * - An IPv6 address is grouped by its /64: a single host is routinely given a whole /64 (SLAAC, privacy addresses)
 *   and can present any of its 2^64 addresses, so a budget per exact address would be a budget per request.
 * - An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, in any spelling) is the IPv4 address it maps: the same client
 *   seen through a dual-stack socket or a proxy that writes IPv6.
 * - Anything else (`unknown`, or a proxy's garbage) is kept as it is, its own group.
 *
 * A group is written in one canonical form (RFC 5952: lower case, no leading zeros, the longest run of zeros
 * compressed), so every spelling of an address lands in the same group: `2001:DB8:0:0::1` and `2001:db8::0001`
 * are one client, not two budgets.
 */
import { isIP } from "node:net";
import { KeyedBuckets } from "./keyed-buckets";
import type { Rate } from "./token-bucket";

const HEXTETS = 8;
/** The hextets a /64 prefix keeps. */
const PREFIX_HEXTETS = 4;

/** The key of the budget `address` shares with the rest of its group. */
export function addressGroup(address: string): string {
  const version = isIP(address);
  // Node accepts only the dotted-decimal spelling of IPv4 (no leading zeros, no shorthand), so it is canonical.
  if (version !== 6) return address;
  const hextets = parseIpv6(address);
  if (isIpv4Mapped(hextets)) return ipv4Of(hextets[6]!, hextets[7]!);
  const prefix = [...hextets.slice(0, PREFIX_HEXTETS), ...new Array<number>(HEXTETS - PREFIX_HEXTETS).fill(0)];
  return `${formatIpv6(prefix)}/64`;
}

/** The eight 16-bit groups of an address `isIP` has already accepted as IPv6. */
function parseIpv6(address: string): number[] {
  // A zone (`fe80::1%eth0`) names the local interface, not part of the address.
  let text = address.split("%")[0]!;
  const tail: number[] = [];
  // A trailing dotted quad (`::ffff:192.0.2.1`) is the last two hextets.
  if (text.includes(".")) {
    const lastColon = text.lastIndexOf(":");
    const [a, b, c, d] = text
      .slice(lastColon + 1)
      .split(".")
      .map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    // What stays is an address of six hextets; a `::` just before the quad (`::192.0.2.1`) stays with it.
    text = text.endsWith("::", lastColon + 1) ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const hexList = (part: string) => (part === "" ? [] : part.split(":").map((hextet) => Number.parseInt(hextet, 16)));
  const [head, rest] = text.split("::") as [string, string | undefined];
  const before = hexList(head);
  if (rest === undefined) return [...before, ...tail];
  const after = hexList(rest);
  const zeros = new Array<number>(HEXTETS - tail.length - before.length - after.length).fill(0);
  return [...before, ...zeros, ...after, ...tail];
}

/** `::ffff:a.b.c.d`: eighty zero bits, sixteen one bits, then the IPv4 address (RFC 4291, 2.5.5.2). */
function isIpv4Mapped(hextets: number[]): boolean {
  return hextets.slice(0, 5).every((hextet) => hextet === 0) && hextets[5] === 0xffff;
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** RFC 5952's text form: lower-case hex without leading zeros, the first longest run of two or more zeros as `::`. */
function formatIpv6(hextets: number[]): string {
  let runStart = -1;
  let runLength = 0;
  for (let start = 0; start < hextets.length; start += 1) {
    let length = 0;
    while (hextets[start + length] === 0) length += 1;
    if (length > runLength) {
      runStart = start;
      runLength = length;
    }
    start += length;
  }
  const hex = (part: number[]) => part.map((hextet) => hextet.toString(16)).join(":");
  if (runLength < 2) return hex(hextets);
  return `${hex(hextets.slice(0, runStart))}::${hex(hextets.slice(runStart + runLength))}`;
}

/** A budget per client address group: what one address may start (account requests, socket handshakes). */
export function addressBudget(rate: Rate): KeyedBuckets {
  return new KeyedBuckets(rate, { keyOf: addressGroup });
}
