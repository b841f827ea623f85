/**
 * Where the console may send a notification. A channel's URL or SMTP host is typed by a person,
 * and the console then makes requests to it from inside the operator's network: without a
 * policy that is a server-side request forgery (a webhook aimed at the cloud's metadata service,
 * an internal admin API, a database port).
 *
 * The rules (docs/decisions.md, "Notifications"):
 * - Webhook and Teams URLs are https:, with no credentials in them. Plain http: only to loopback,
 *   and only on the embedded defaults (the built-in receivers).
 * - Every address the host resolves to must be public unicast. Loopback is allowed only on the
 *   embedded defaults; private ranges, carrier-grade NAT, link-local (169.254.169.254, the
 *   metadata service), multicast, documentation and reserved ranges only for a host an admin
 *   allowed by name, and only for operators' channels.
 * - The check runs when the channel is saved (for a clear error) and again at every send, on the
 *   addresses the connection will actually use (lib/notifications/transports/pinned-lookup.ts),
 *   so a name that resolves differently later (DNS rebinding) gains nothing.
 */
import ipaddr from "ipaddr.js";

export type TargetPolicy = {
  /** Loopback targets (and plain http/SMTP to them) are allowed: the console runs on its embedded defaults. */
  allowLoopback: boolean;
  /** Lower-case host names or addresses an admin allowed to resolve to private or link-local addresses. */
  allowedHosts: ReadonlySet<string>;
};

export class TargetRefusedError extends Error {
  override name = "TargetRefusedError";
}

/** The address classes ipaddr.js names, in words an operator reads in a refusal. */
const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private-range address",
  uniqueLocal: "a private (unique local) IPv6 address",
  linkLocal: "a link-local address (such as the cloud metadata service)",
  carrierGradeNat: "a carrier-grade NAT address",
  unspecified: "the unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  reserved: "a reserved or documentation address",
  benchmarking: "a benchmarking address",
};

/** Ranges an admin's allow-list opens for a named host; the others (multicast, unspecified…) can never be a receiver. */
const ALLOWABLE = new Set(["private", "uniqueLocal", "linkLocal", "carrierGradeNat", "reserved", "benchmarking"]);

/**
 * Why this address may not be sent to, or null when it may. An IPv4-mapped IPv6 address is
 * judged as the IPv4 address it carries.
 */
export function refuseAddress(address: string, host: string, policy: TargetPolicy): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address.`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === "unicast") return null;
  if (range === "loopback") {
    return policy.allowLoopback ? null : `${host} resolves to ${address}, a loopback address; only the embedded defaults' built-in receivers may be on loopback.`;
  }
  if (ALLOWABLE.has(range) && policy.allowedHosts.has(host.toLowerCase())) return null;
  const words = RANGE_WORDS[range] ?? `an address in the ${range} range`;
  return ALLOWABLE.has(range)
    ? `${host} resolves to ${address}, ${words}. An admin can allow this host under Settings → Notifications if it is meant.`
    : `${host} resolves to ${address}, ${words}, which cannot receive notifications.`;
}

export type Resolver = (host: string) => Promise<string[]>;

/** Strips the brackets of an IPv6 literal as URLs write it. */
export function bareHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** Resolves the host (an IP literal resolves to itself) and refuses it unless every address passes. */
export async function checkHost(host: string, policy: TargetPolicy, resolve: Resolver): Promise<string[]> {
  const name = bareHost(host).toLowerCase();
  let addresses: string[];
  if (ipaddr.isValid(name)) addresses = [name];
  else {
    try {
      addresses = await resolve(name);
    } catch (error) {
      throw new TargetRefusedError(`${name} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
    }
  }
  if (addresses.length === 0) throw new TargetRefusedError(`${name} does not resolve to any address.`);
  for (const address of addresses) {
    const refusal = refuseAddress(address, name, policy);
    if (refusal) throw new TargetRefusedError(refusal);
  }
  return addresses;
}

/** The URL rules of webhook and Teams channels, before any address is looked at. */
export function parseTargetUrl(text: string, policy: Pick<TargetPolicy, "allowLoopback">): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetRefusedError("Enter a full URL, such as https://hooks.example.com/bridgehead.");
  }
  if (url.username || url.password) throw new TargetRefusedError("Put no user name or password in the URL; webhooks are signed instead.");
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && policy.allowLoopback && isLoopbackName(url.hostname)) return url;
  throw new TargetRefusedError(
    url.protocol === "http:" ? "Use an https: URL: notifications carry your network's details." : `Use an https: URL, not ${url.protocol}.`,
  );
}

function isLoopbackName(hostname: string): boolean {
  const host = bareHost(hostname).toLowerCase();
  if (host === "localhost") return true;
  return ipaddr.isValid(host) && ipaddr.parse(host).range() === "loopback";
}
