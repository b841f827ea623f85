/**
 * CIDR parsing for tenant subnets. Parsing and containment go through ipaddr.js; this module only
 * decides which of the many spellings ipaddr.js tolerates an operator may type, and words the
 * errors so they can sit next to a form field.
 */
import ipaddr from "ipaddr.js";

export type Cidr = { family: "ipv4" | "ipv6"; network: string; prefix: number; canonical: string };

type CidrResult = { ok: true; cidr: Cidr } | { ok: false; error: string };

export type LabelledCidr = { cidr: string; label: string };

const MAX_INPUT_LENGTH = 100;

const EXAMPLE = "e.g. 192.168.10.0/24 or 2001:db8::/48";

// ipaddr.js also accepts "10", "10.1", "0x0a.0.0.0" and "010.0.0.0" (octal, i.e. 8.0.0.0). Only the
// plain dotted quad is unambiguous to a human, so everything else is refused before ipaddr sees it.
const DOTTED_QUAD = /^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$/;
const DOTTED_QUAD_ANY_ZEROS = /^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]+$/;
// No leading zeros so "/024" cannot be mistaken for something other than 24.
const PREFIX = /^(?:0|[1-9][0-9]*)$/;

const TENANT_PREFIX = { ipv4: { min: 16, max: 29 }, ipv6: { min: 48, max: 64 } } as const;

const FORBIDDEN_TENANT_RANGES: Record<Cidr["family"], Record<string, string>> = {
  ipv4: { loopback: "loopback", multicast: "multicast", linkLocal: "link-local", unspecified: "unspecified (0.0.0.0/8)" },
  ipv6: { loopback: "loopback", multicast: "multicast", linkLocal: "link-local", unspecified: "unspecified (::)" },
};

export function parseCidr(text: string): CidrResult {
  const input = text.trim();
  if (input === "") return fail(`Enter a network as address/prefix, ${EXAMPLE}.`);
  if (input.length > MAX_INPUT_LENGTH) {
    return fail(`That is too long for a network (${input.length} characters); enter one address/prefix, ${EXAMPLE}.`);
  }

  const parts = input.split("/");
  if (parts.length !== 2) {
    if (parts.length === 1 && looksLikeAddress(input)) {
      return fail(`Add a prefix length, e.g. ${input.includes(":") ? `${input}/64` : `${input}/24`}.`);
    }
    return fail(`Enter exactly one network as address/prefix, ${EXAMPLE}.`);
  }
  const [addressText = "", prefixText = ""] = parts;
  if (!PREFIX.test(prefixText)) {
    return fail(`The prefix length after "/" must be a whole number, e.g. /24 for IPv4 or /48 for IPv6.`);
  }
  const prefix = Number(prefixText);

  const parsed = addressText.includes(":") ? parseIpv6(addressText) : parseIpv4(addressText);
  if (!parsed.ok) return parsed;
  const { address } = parsed;

  const family = address.kind();
  const maxPrefix = family === "ipv4" ? 32 : 128;
  if (prefix > maxPrefix) {
    return fail(`/${prefixText} is too long for ${family === "ipv4" ? "IPv4" : "IPv6"}; use a prefix from /0 to /${maxPrefix}.`);
  }

  const written = `${address.toString()}/${prefix}`;
  const network =
    family === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(written).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(written).toRFC5952String();
  const canonical = `${network}/${prefix}`;
  if (network !== address.toString()) {
    return fail(`${written} has host bits set; did you mean ${canonical}?`);
  }
  return { ok: true, cidr: { family, network, prefix, canonical } };
}

export function parseSubnetForTenant(text: string): CidrResult {
  const result = parseCidr(text);
  if (!result.ok) return result;
  const { cidr } = result;

  const allowed = TENANT_PREFIX[cidr.family];
  if (cidr.prefix < allowed.min || cidr.prefix > allowed.max) {
    const familyName = cidr.family === "ipv4" ? "IPv4" : "IPv6";
    const problem = cidr.prefix < allowed.min ? "too large" : "too small";
    return fail(
      `${cidr.canonical} is ${problem} for a tenant subnet; ${familyName} subnets must be /${allowed.min} to /${allowed.max}.`,
    );
  }

  // The smallest allowed subnets (/16, /48) are no larger than any of the forbidden blocks, so a
  // subnet is either wholly inside one of them or clear of all; its network address decides.
  const range = ipaddr.parse(cidr.network).range();
  const rangeName = FORBIDDEN_TENANT_RANGES[cidr.family][range];
  if (rangeName !== undefined) {
    return fail(`${cidr.canonical} is in the ${rangeName} range, which cannot be stretched to a tenant; use a unicast subnet.`);
  }
  return result;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const aNet = ipaddr.parse(a.network);
  const bNet = ipaddr.parse(b.network);
  // Two CIDR blocks are either nested or disjoint, so checking both network addresses suffices.
  return aNet.match(bNet, b.prefix) || bNet.match(aNet, a.prefix);
}

export function findOverlaps<T extends LabelledCidr>(candidate: Cidr, others: T[]): (T & { canonical: string })[] {
  const overlaps: (T & { canonical: string })[] = [];
  for (const other of others) {
    // Stored subnets predate today's rules, so use the lenient parser, not the tenant one.
    const parsed = parseCidr(other.cidr);
    if (parsed.ok && cidrsOverlap(candidate, parsed.cidr)) {
      overlaps.push({ ...other, canonical: parsed.cidr.canonical });
    }
  }
  return overlaps;
}

type AddressResult = { ok: true; address: ipaddr.IPv4 | ipaddr.IPv6 } | { ok: false; error: string };

function parseIpv4(text: string): AddressResult {
  if (!DOTTED_QUAD.test(text)) {
    if (DOTTED_QUAD_ANY_ZEROS.test(text)) {
      return fail(`Remove the leading zeros from ${text}; some systems read them as octal (010 = 8).`);
    }
    return fail("Enter an IPv4 address as four numbers 0–255 separated by dots (e.g. 192.168.10.0/24) or an IPv6 address (e.g. 2001:db8::/48).");
  }
  if (!ipaddr.IPv4.isValid(text)) {
    return fail(`${text} is not a valid IPv4 address; each of the four numbers must be 0–255.`);
  }
  return { ok: true, address: ipaddr.IPv4.parse(text) };
}

function parseIpv6(text: string): AddressResult {
  if (text.includes("%")) {
    return fail("Remove the zone ID (the part from %); a subnet applies to every interface.");
  }
  if (!IPV6_CHARS.test(text)) {
    return fail(`An IPv6 address may only contain hex digits, ":" and "."; write it like 2001:db8:10::/48.`);
  }
  // An embedded IPv4 tail must meet the same no-leading-zeros rule as a plain IPv4 address.
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".") && !DOTTED_QUAD.test(tail)) {
    return fail(`The IPv4 part of ${text} must be four numbers 0–255 without leading zeros.`);
  }
  if (!ipaddr.IPv6.isValid(text)) {
    return fail(`${text} is not a valid IPv6 address; write it like 2001:db8:10::/48.`);
  }
  const address = ipaddr.IPv6.parse(text);
  if (address.isIPv4MappedAddress()) {
    return fail("IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are not accepted; enter the IPv4 network itself, e.g. 192.168.10.0/24.");
  }
  return { ok: true, address };
}

function looksLikeAddress(text: string): boolean {
  return DOTTED_QUAD.test(text) || (IPV6_CHARS.test(text) && text.includes(":") && ipaddr.IPv6.isValid(text));
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
