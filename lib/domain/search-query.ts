/**
 * What an operator typed into the search box, read the way NetBox reads it: an IP address finds
 * the subnet that holds it, a MAC address in any of the spellings switches print finds where the
 * agents saw it, a number finds a VLAN or a VNI, and any text finds names. Pure: the database
 * does the matching (lib/queries/search.ts); this decides what to ask it and says why a row
 * matched.
 */
import ipaddr from "ipaddr.js";
import { parseCidr } from "./cidr";
import { VLAN_MAX, VLAN_MIN, VNI_MAX } from "./vlan";

export const SEARCH_MAX_LENGTH = 100;

export type SearchQuery = {
  /** The trimmed input, for name matching ("" when there is nothing to look for). */
  text: string;
  /** A single IP address, canonical (ipaddr.js `toString`, as the underlay columns store it). */
  address: { family: "ipv4" | "ipv6"; canonical: string } | null;
  /** A network written as address/prefix: every subnet it overlaps. */
  network: { family: "ipv4" | "ipv6"; canonical: string } | null;
  /** A MAC address in lower-case colon form, as the agents report it. */
  mac: string | null;
  /** A whole number that is a possible VLAN ID (1–4094). */
  vlan: number | null;
  /** A whole number that is a possible VXLAN VNI (1–16777215). */
  vni: number | null;
};

const EMPTY: SearchQuery = { text: "", address: null, network: null, mac: null, vlan: null, vni: null };

// The same rule as tenant subnets (lib/domain/cidr.ts): only a plain dotted quad is an IPv4
// address here; "10.1" or "010.0.0.1" (octal to some tools) is left as text.
const DOTTED_QUAD = /^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$/;
const HEX = "[0-9a-f]";
const MAC_FORMS = [
  new RegExp(`^${HEX}{2}(?::${HEX}{2}){5}$`), // 00:50:56:ab:cd:ef (Linux, bridge fdb)
  new RegExp(`^${HEX}{2}(?:-${HEX}{2}){5}$`), // 00-50-56-AB-CD-EF (Windows)
  new RegExp(`^${HEX}{4}\\.${HEX}{4}\\.${HEX}{4}$`), // 0050.56ab.cdef (Cisco)
  new RegExp(`^${HEX}{12}$`), // 005056abcdef (bare, as some exports print it)
];

/** Reads the search box. Never throws: anything that is no address, MAC or number is text. */
export function parseSearchQuery(input: string): SearchQuery {
  const text = input.trim().slice(0, SEARCH_MAX_LENGTH);
  if (text === "") return EMPTY;
  return { text, address: parseAddress(text), network: parseNetwork(text), mac: normaliseMac(text), vlan: numberIn(text, VLAN_MIN, VLAN_MAX), vni: numberIn(text, 1, VNI_MAX) };
}

/** Whether the query asks anything at all: a single letter would list the whole fleet. */
export function isSearchable(query: SearchQuery): boolean {
  return query.text.length >= 2 || query.vlan !== null || query.vni !== null;
}

/** `00-50-56-AB-CD-EF`, `0050.56ab.cdef`, `005056abcdef` → `00:50:56:ab:cd:ef`; null when not a MAC. */
export function normaliseMac(text: string): string | null {
  const lower = text.trim().toLowerCase();
  if (!MAC_FORMS.some((form) => form.test(lower))) return null;
  const hex = lower.replace(/[^0-9a-f]/g, "");
  return hex.match(/../g)!.join(":");
}

function parseAddress(text: string): SearchQuery["address"] {
  if (text.includes(":")) {
    // A zone id names an interface on one host, not an address anyone stores.
    if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return null;
  } else if (!DOTTED_QUAD.test(text) || !ipaddr.IPv4.isValid(text)) {
    return null;
  }
  // process() turns ::ffff:192.0.2.1 into 192.0.2.1, the form an IPv4 underlay is stored in.
  const address = ipaddr.process(text);
  return { family: address.kind(), canonical: address.toString() };
}

function parseNetwork(text: string): SearchQuery["network"] {
  if (!text.includes("/")) return null;
  const [address = "", prefix = ""] = text.split("/");
  // "192.168.10.7/24" is a host with its mask, as `ip addr` prints it: search its network.
  if (!parseAddress(address) || !/^[0-9]{1,3}$/.test(prefix)) return null;
  const family = address.includes(":") ? "ipv6" : "ipv4";
  const max = family === "ipv4" ? 32 : 128;
  if (Number(prefix) > max) return null;
  const network = family === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  const parsed = parseCidr(`${family === "ipv4" ? network.toString() : (network as ipaddr.IPv6).toRFC5952String()}/${Number(prefix)}`);
  return parsed.ok ? { family, canonical: parsed.cidr.canonical } : null;
}

function numberIn(text: string, min: number, max: number): number | null {
  if (!/^[0-9]{1,8}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** Whether `address` lies inside `subnet` (CIDR): the rule the database's `>>=` applies, for labels and tests. */
export function subnetContains(subnet: string, address: string): boolean {
  const parsed = parseCidr(subnet);
  if (!parsed.ok || !ipaddr.isValid(address)) return false;
  const host = ipaddr.process(address);
  if (host.kind() !== parsed.cidr.family) return false;
  return host.match(ipaddr.parse(parsed.cidr.network), parsed.cidr.prefix);
}

/** A tenant's network facts, as the search reads them. */
export type TenantNetwork = { subnet: string; vlanId: number | null; vni: number | null };

/** Why a tenant's network answered the query, in words for the result list ("" when it did not). */
export function describeNetworkMatch(query: SearchQuery, tenant: TenantNetwork): string {
  const reasons: string[] = [];
  if (query.address && subnetContains(tenant.subnet, query.address.canonical)) reasons.push(`${query.address.canonical} is in ${tenant.subnet}`);
  if (query.network && subnetsOverlap(tenant.subnet, query.network.canonical)) reasons.push(`${tenant.subnet} overlaps ${query.network.canonical}`);
  if (query.vlan !== null && tenant.vlanId === query.vlan) reasons.push(`VLAN ${tenant.vlanId}`);
  if (query.vni !== null && tenant.vni === query.vni) reasons.push(`VNI ${tenant.vni}`);
  return reasons.join(" · ");
}

function subnetsOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  if (!left.ok || !right.ok || left.cidr.family !== right.cidr.family) return false;
  return subnetContains(a, right.cidr.network) || subnetContains(b, left.cidr.network);
}

/** Escapes LIKE's wildcards so "10_0" or "50%" match themselves. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
