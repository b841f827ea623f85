/**
 * Small parsers that read the IPsec parameters back out of each platform's generated file, into
 * one neutral shape, so a test can hold every platform's file against the strongSwan peer's. They
 * deliberately share no name table with the generators (lib/gateway/ipsec*.ts): each keeps its
 * own reading of its platform's words, so a generator that spells a value wrong is caught here.
 */
import { commandLines } from "./gateway-variants";

export type IpsecParameters = {
  ikeVersion: number;
  ike: { cipher: string; prf: string; dhGroup: number };
  esp: { cipher: string; pfsGroup: number };
  mode: string;
  psk: string;
  local: { address: string; id: string };
  remote: { address: string; id: string };
  ikeLifetimeSeconds: number;
  childLifetimeSeconds: number;
  dpdDelaySeconds: number;
  /** Whether this end opens the IKE SA itself; one end must, or the tunnel never comes up. */
  initiates: boolean;
  /** "protocol local-address:port > remote-address:port" (port "any"), sorted. */
  selectors: string[];
};

/** The other end's view of the same parameters: what a peer must hold to match. */
export function mirror(p: IpsecParameters): IpsecParameters {
  const flip = (s: string) => {
    const [, proto, a, b] = /^(\S+) (\S+) > (\S+)$/.exec(s) ?? [];
    return `${proto} ${b} > ${a}`;
  };
  return { ...p, local: p.remote, remote: p.local, initiates: !p.initiates, selectors: p.selectors.map(flip).sort() };
}

const GROUPS: Record<string, number> = { ecp256: 19, ecp384: 20, modp2048: 14 };
const selector = (proto: string, la: string, lp: string | null, ra: string, rp: string | null) => `${proto} ${la}:${lp ?? "any"} > ${ra}:${rp ?? "any"}`;
const bare = (prefix: string) => prefix.replace(/\/(32|128)$/, "");
function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || (typeof value === "number" && Number.isNaN(value))) throw new Error(`not found in the file: ${what}`);
  return value;
}

// ---- strongSwan swanctl.conf ---------------------------------------------------------------------

/**
 * The key bytes swanctl --load-creds hands charon, as text: it reads a value that starts with
 * "0x" as hex and one that starts with "0s" as base64, either case, quoted or not
 * (src/swanctl/commands/load_creds.c); any other value is its own bytes.
 */
function swanctlKeyText(value: string): string {
  const text = value.replace(/^"(.*)"$/, "$1");
  if (/^0x/i.test(text)) return Buffer.from(text.slice(2), "hex").toString("latin1");
  if (/^0s/i.test(text)) return Buffer.from(text.slice(2), "base64").toString("latin1");
  return text;
}

export function parseSwanctl(contents: string): IpsecParameters {
  const stack: string[] = [];
  const kv = new Map<string, string>();
  for (const raw of commandLines(contents, "#")) {
    const line = raw.trim();
    if (line.endsWith("{")) stack.push(line.slice(0, -1).trim());
    else if (line === "}") stack.pop();
    else {
      const [key, ...rest] = line.split("=");
      kv.set([...stack, key!.trim()].join("."), rest.join("=").trim());
    }
  }
  const get = (suffix: RegExp) => [...kv.entries()].filter(([k]) => suffix.test(k)).map(([, v]) => v);
  const one = (suffix: RegExp, what: string) => required(get(suffix)[0], what);
  const seconds = (text: string) => Number(/^(\d+)s$/.exec(text)?.[1]);
  const [ikeCipher, ikePrf, ikeGroup] = one(/^connections\.[^.]+\.proposals$/, "proposals").split("-");
  const espProposals = get(/\.esp_proposals$/);
  if (new Set(espProposals).size !== 1) throw new Error(`children disagree on esp_proposals: ${espProposals.join(", ")}`);
  const [espCipher, pfs] = espProposals[0]!.split("-");
  const childRekeys = new Set(get(/\.children\.[^.]+\.rekey_time$/));
  if (childRekeys.size !== 1) throw new Error("children disagree on rekey_time");
  const modes = new Set(get(/\.mode$/));
  if (modes.size !== 1) throw new Error("children disagree on mode");
  const ts = (text: string) => {
    const [, address, proto, port] = required(/^([^[]+)\[([^/\]]+)(?:\/(\d+))?\]$/.exec(text), `selector ${text}`);
    return { address: address!, proto: proto!, port: port ?? null };
  };
  const children = [...new Set([...kv.keys()].filter((k) => /\.children\.[^.]+\.local_ts$/.test(k)).map((k) => k.replace(/\.local_ts$/, "")))];
  const cipher = (swan: string) => {
    const [, bits] = required(/^aes(\d+)gcm16$/.exec(swan), `cipher ${swan}`);
    return `aes-gcm-${bits}`;
  };
  return {
    ikeVersion: Number(one(/\.version$/, "version")),
    ike: { cipher: cipher(ikeCipher!), prf: ikePrf!.replace(/^prf/, ""), dhGroup: required(GROUPS[ikeGroup!], "ike group") },
    esp: { cipher: cipher(espCipher!), pfsGroup: required(GROUPS[pfs!], "pfs group") },
    mode: [...modes][0]!,
    psk: swanctlKeyText(one(/^secrets\.[^.]+\.secret$/, "secret")),
    local: { address: one(/\.local_addrs$/, "local_addrs"), id: one(/^connections\.[^.]+\.local\.id$/, "local id") },
    remote: { address: one(/\.remote_addrs$/, "remote_addrs"), id: one(/^connections\.[^.]+\.remote\.id$/, "remote id") },
    ikeLifetimeSeconds: seconds(one(/^connections\.[^.]+\.rekey_time$/, "IKE rekey_time")),
    childLifetimeSeconds: seconds([...childRekeys][0]!),
    dpdDelaySeconds: seconds(one(/\.dpd_delay$/, "dpd_delay")),
    initiates: (() => {
      const actions = new Set(get(/\.children\.[^.]+\.start_action$/).map((a) => a.split("|").includes("start")));
      if (actions.size !== 1) throw new Error("children disagree on start_action");
      return [...actions][0]!;
    })(),
    selectors: children
      .map((child) => {
        const l = ts(kv.get(`${child}.local_ts`)!);
        const r = ts(kv.get(`${child}.remote_ts`)!);
        return selector(l.proto, l.address, l.port, r.address, r.port);
      })
      .sort(),
  };
}

// ---- VyOS 1.4 `set` commands ---------------------------------------------------------------------

/** `set vpn ipsec …` lines as word lists, quotes removed. */
function vyosSets(contents: string): string[][] {
  return commandLines(contents, "#")
    .filter((line) => line.startsWith("set vpn ipsec "))
    .map((line) => [...line.slice("set vpn ipsec ".length).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!));
}

export function parseVyos(contents: string): IpsecParameters {
  const sets = vyosSets(contents);
  const value = (...path: string[]) => required(sets.find((w) => path.every((p, i) => w[i] === p) && w.length === path.length + 1)?.at(-1), path.join(" "));
  const peer = required(sets.find((w) => w[0] === "site-to-site" && w[1] === "peer")?.[2], "site-to-site peer");
  const ikeGroup = value("site-to-site", "peer", peer, "ike-group");
  const espGroup = value("site-to-site", "peer", peer, "default-esp-group");
  const cipher = (v: string) => `aes-gcm-${required(/^aes(\d+)gcm128$/.exec(v), `cipher ${v}`)[1]}`;
  const pskName = sets.find((w) => w[0] === "authentication" && w[1] === "psk")![2]!;
  const tunnels = [...new Set(sets.filter((w) => w[0] === "site-to-site" && w[3] === "tunnel").map((w) => w[4]!))];
  const opt = (...path: string[]) => sets.find((w) => path.every((p, i) => w[i] === p) && w.length === path.length + 1)?.at(-1) ?? null;
  return {
    ikeVersion: value("ike-group", ikeGroup, "key-exchange") === "ikev2" ? 2 : 1,
    ike: {
      cipher: cipher(value("ike-group", ikeGroup, "proposal", "1", "encryption")),
      prf: value("ike-group", ikeGroup, "proposal", "1", "prf").replace(/^prf/, ""),
      dhGroup: Number(value("ike-group", ikeGroup, "proposal", "1", "dh-group")),
    },
    esp: { cipher: cipher(value("esp-group", espGroup, "proposal", "1", "encryption")), pfsGroup: Number(value("esp-group", espGroup, "pfs").replace(/^dh-group/, "")) },
    mode: value("esp-group", espGroup, "mode"),
    // VyOS writes a plaintext key into swanctl.conf as it stands, so swanctl's reading applies.
    psk: swanctlKeyText(value("authentication", "psk", pskName, "secret")),
    local: { address: value("site-to-site", "peer", peer, "local-address"), id: value("site-to-site", "peer", peer, "authentication", "local-id") },
    remote: { address: value("site-to-site", "peer", peer, "remote-address"), id: value("site-to-site", "peer", peer, "authentication", "remote-id") },
    ikeLifetimeSeconds: Number(value("ike-group", ikeGroup, "lifetime")),
    childLifetimeSeconds: Number(value("esp-group", espGroup, "lifetime")),
    dpdDelaySeconds: Number(value("ike-group", ikeGroup, "dead-peer-detection", "interval")),
    initiates: value("site-to-site", "peer", peer, "connection-type") === "initiate",
    selectors: tunnels
      .map((t) => {
        const base = ["site-to-site", "peer", peer, "tunnel", t];
        return selector(
          value(...base, "protocol"),
          bare(value(...base, "local", "prefix")),
          opt(...base, "local", "port"),
          bare(value(...base, "remote", "prefix")),
          opt(...base, "remote", "port"),
        );
      })
      .sort(),
  };
}

// ---- Cisco IOS XE --------------------------------------------------------------------------------

/** Top-level blocks of an IOS configuration: each header line with its indented sub-lines. */
function iosBlocks(contents: string): { head: string; body: string[] }[] {
  const blocks: { head: string; body: string[] }[] = [];
  for (const line of commandLines(contents, "!")) {
    if (!line.startsWith(" ")) blocks.push({ head: line, body: [] });
    else blocks.at(-1)?.body.push(line.trim());
  }
  return blocks;
}

export function parseIosxe(contents: string): IpsecParameters {
  const blocks = iosBlocks(contents);
  const block = (pattern: RegExp) => required(blocks.find((b) => pattern.test(b.head)), `block ${pattern}`);
  const sub = (b: { body: string[] }, pattern: RegExp) => required(b.body.map((l) => pattern.exec(l)).find((m) => m), `line ${pattern}`);
  const map = block(/^crypto map \S+ \d+ ipsec-isakmp$/);
  const profileName = sub(map, /^set ikev2-profile (\S+)$/)[1]!;
  const transformName = sub(map, /^set transform-set (\S+)$/)[1]!;
  const aclName = sub(map, /^match address (\S+)$/)[1]!;
  const profile = block(new RegExp(`^crypto ikev2 profile ${profileName}$`));
  const keyring = block(new RegExp(`^crypto ikev2 keyring ${sub(profile, /^keyring local (\S+)$/)[1]}$`));
  const policy = blocks.find((b) => /^crypto ikev2 policy /.test(b.head) && b.body.length > 0)!;
  const proposal = block(new RegExp(`^crypto ikev2 proposal ${sub(policy, /^proposal (\S+)$/)[1]}$`));
  const transform = block(new RegExp(`^crypto ipsec transform-set ${transformName} `));
  const acl = block(new RegExp(`^ip access-list extended ${aclName}$`));
  const ace = (line: string) => {
    const [, proto, la, lp, ra, rp] = required(/^permit (\S+) host (\S+)(?: eq (\d+))? host (\S+)(?: eq (\d+))?$/.exec(line), `ACE ${line}`);
    return selector(proto!, la!, lp ?? null, ra!, rp ?? null);
  };
  const [, dpdDelay] = sub(profile, /^dpd (\d+) \d+ \S+$/);
  const mapPeer = sub(map, /^set peer (\S+)$/)[1]!;
  const keyringAddress = sub(keyring, /^address (\S+)$/)[1]!;
  const mapName = map.head.split(" ")[2]!;
  const applied = blocks.some((b) => /^interface \S+$/.test(b.head) && b.body.includes(`crypto map ${mapName}`));
  return {
    // An IKEv2 proposal, policy and profile are IKEv2 by construction.
    ikeVersion: /^crypto ikev2 profile /.test(profile.head) ? 2 : 1,
    ike: { cipher: sub(proposal, /^encryption (aes-gcm-\d+)$/)[1]!, prf: sub(proposal, /^prf (\S+)$/)[1]!, dhGroup: Number(sub(proposal, /^group (\d+)$/)[1]) },
    esp: { cipher: `aes-gcm-${required(/ esp-gcm (\d+)$/.exec(transform.head), "esp-gcm")[1]}`, pfsGroup: Number(sub(map, /^set pfs group(\d+)$/)[1]) },
    mode: sub(transform, /^mode (\S+)$/)[1]!,
    psk: sub(keyring, /^pre-shared-key (\S+)$/)[1]!,
    local: { address: sub(policy, /^match address local (\S+)$/)[1]!, id: sub(profile, /^identity local address (\S+)$/)[1]! },
    // The keyring's key is found by the peer's address: one filed under another address is no key for this peer.
    remote: { address: keyringAddress === mapPeer ? mapPeer : `set peer ${mapPeer}, keyring address ${keyringAddress}`, id: sub(profile, /^match identity remote address (\S+) 255\.255\.255\.255$/)[1]! },
    ikeLifetimeSeconds: Number(sub(profile, /^lifetime (\d+)$/)[1]),
    childLifetimeSeconds: Number(sub(map, /^set security-association lifetime seconds (\d+)$/)[1]),
    dpdDelaySeconds: Number(dpdDelay),
    // A crypto map initiates when its ACL first matches traffic; IOS XE has no responder-only map entry.
    initiates: true,
    // Entries of a map no interface carries protect nothing.
    selectors: applied ? acl.body.map(ace).sort() : [],
  };
}

// ---- MikroTik RouterOS v7 ------------------------------------------------------------------------

/** `add` lines under a menu, as property maps (quotes removed). */
function routerosAdds(contents: string, menu: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let current = "";
  for (const line of commandLines(contents, "#")) {
    if (line.startsWith("/")) current = line;
    else if (current === menu && line.startsWith("add ")) {
      out.push(Object.fromEntries([...line.slice(4).matchAll(/([a-z-]+)=(?:"([^"]*)"|(\S+))/g)].map((m) => [m[1]!, m[2] ?? m[3]!])));
    }
  }
  return out;
}

function routerosSeconds(text: string): number {
  const units: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };
  const parts = [...text.matchAll(/(\d+)([dhms])/g)];
  if (parts.map((m) => m[0]).join("") !== text) throw new Error(`not a RouterOS duration: ${text}`);
  return parts.reduce((sum, m) => sum + Number(m[1]) * units[m[2]!]!, 0);
}

export function parseRouteros(contents: string): IpsecParameters {
  const [peer] = routerosAdds(contents, "/ip ipsec peer");
  const p = required(peer, "/ip ipsec peer");
  const profile = required(routerosAdds(contents, "/ip ipsec profile").find((x) => x.name === p.profile), "the peer's profile");
  const identity = required(routerosAdds(contents, "/ip ipsec identity").find((x) => x.peer === p.name), "the peer's identity");
  const policies = routerosAdds(contents, "/ip ipsec policy").filter((x) => x.peer === p.name);
  const proposalNames = new Set(policies.map((x) => x.proposal));
  if (proposalNames.size !== 1) throw new Error("policies disagree on their proposal");
  const proposal = required(routerosAdds(contents, "/ip ipsec proposal").find((x) => proposalNames.has(x.name)), "the policies' proposal");
  const cipher = (v: string) => `aes-gcm-${required(/^aes-(\d+)-gcm$/.exec(v), `cipher ${v}`)[1]}`;
  const modes = new Set(policies.map((x) => (x.tunnel === "no" ? "transport" : "tunnel")));
  const id = (v: string) => required(/^address:(.+)$/.exec(v), `id ${v}`)[1]!;
  return {
    ikeVersion: p["exchange-mode"] === "ike2" ? 2 : 1,
    ike: { cipher: cipher(profile["enc-algorithm"]!), prf: required(profile["prf-algorithm"], "prf-algorithm"), dhGroup: required(GROUPS[profile["dh-group"]!], "dh-group") },
    esp: { cipher: cipher(proposal["enc-algorithms"]!), pfsGroup: required(GROUPS[proposal["pfs-group"]!], "pfs-group") },
    mode: modes.size === 1 ? [...modes][0]! : "mixed",
    // RouterOS parses a secret that starts with "0x" as hex (its identity menu's own rule).
    psk: ((secret: string) => (/^0x/i.test(secret) ? Buffer.from(secret.slice(2), "hex").toString("latin1") : secret))(required(identity.secret, "secret")),
    local: { address: required(p["local-address"], "local-address"), id: id(identity["my-id"]!) },
    remote: { address: bare(required(p.address, "address")), id: id(identity["remote-id"]!) },
    ikeLifetimeSeconds: routerosSeconds(profile.lifetime!),
    childLifetimeSeconds: routerosSeconds(proposal.lifetime!),
    dpdDelaySeconds: routerosSeconds(profile["dpd-interval"]!),
    initiates: required(p.passive, "passive") === "no",
    selectors: policies
      .filter((x) => x.action === "encrypt")
      .map((x) => selector(x.protocol!, bare(x["src-address"]!), x["src-port"] ?? null, bare(x["dst-address"]!), x["dst-port"] ?? null))
      .sort(),
  };
}
