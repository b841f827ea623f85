/**
 * The source gateway's IPsec peer to the AVS edge bridge's strongSwan, in VyOS, IOS XE and
 * RouterOS words. Every value comes from the IpsecPlan (lib/gateway/ipsec.ts), the same one the
 * strongSwan file is rendered from; these functions only spell it. Each platform's apply file
 * puts these stanzas before its VXLAN interface, so no tunnel packet leaves unprotected.
 *
 * The design per platform (docs/decisions.md, "IPsec on every source platform"):
 * - VyOS 1.4: a site-to-site peer in transport mode with one `tunnel` per traffic selector.
 * - IOS XE: a crypto map on the underlay interface (not tunnel protection): VXLAN leaves nve1
 *   between the two underlay addresses, which a crypto ACL selects exactly as strongSwan's
 *   transport-mode children do; a VTI would need VXLAN routed through a second address pair.
 * - RouterOS v7: static policies (not templates with generate-policy), one per selector, each
 *   with its own SA (level=unique) as strongSwan's children are.
 */
import { humanSeconds, type IpsecPlan, type SelectorEnd } from "../ipsec";
import type { AeadCipher, DhGroup } from "../ipsec-suites";

// ---- VyOS 1.4 -----------------------------------------------------------------------------------

/** VyOS names GCM by its ICV in bits: aes256gcm128 is AES-256-GCM with the 16-byte ICV. */
const vyosCipher = (cipher: AeadCipher) => `aes${cipher.keyBits}gcm128`;

export const VYOS_DPD_ACTION = "restarts the IKE SA and its child SAs at once (dead-peer-detection action restart)";

export function vyosIpsecCommands(plan: IpsecPlan): string[] {
  const { name, suite, timers } = plan;
  const psk = `set vpn ipsec authentication psk ${name}`;
  const ike = `set vpn ipsec ike-group ${name}`;
  const esp = `set vpn ipsec esp-group ${name}`;
  const peer = `set vpn ipsec site-to-site peer ${name}`;
  const prefix = (end: SelectorEnd) => `${end.address}/${end.address.includes(":") ? 128 : 32}`;
  return [
    `# IPsec to the AVS edge bridge's strongSwan (${plan.remote.hostname}): IKEv2, transport mode, only the tunnel's own traffic.`,
    "# The key is its base64 text as it stands (the strongSwan end uses the same text).",
    `${psk} id '${plan.local.id}'`,
    `${psk} id '${plan.remote.id}'`,
    `${psk} secret '${plan.psk}'`,
    `${ike} key-exchange 'ikev2'`,
    `${ike} lifetime '${timers.ikeLifetimeSeconds}'`,
    `${ike} proposal 1 encryption '${vyosCipher(suite.ike.cipher)}'`,
    `${ike} proposal 1 prf 'prf${suite.ike.prf}'`,
    `${ike} proposal 1 hash '${suite.ike.prf}'`,
    `${ike} proposal 1 dh-group '${suite.ike.dhGroup}'`,
    `${ike} dead-peer-detection interval '${timers.dpdDelaySeconds}'`,
    `${ike} dead-peer-detection timeout '${timers.dpdDelaySeconds * timers.dpdRetries}'`,
    `${ike} dead-peer-detection action 'restart'`,
    `${esp} mode '${plan.mode}'`,
    `${esp} lifetime '${timers.childLifetimeSeconds}'`,
    `${esp} pfs 'dh-group${suite.esp.pfsGroup}'`,
    `${esp} proposal 1 encryption '${vyosCipher(suite.esp.cipher)}'`,
    "# GCM authenticates by itself: VyOS needs a hash here, strongSwan drops it from an AEAD proposal.",
    `${esp} proposal 1 hash '${suite.ike.prf}'`,
    `${peer} authentication mode 'pre-shared-secret'`,
    `${peer} authentication local-id '${plan.local.id}'`,
    `${peer} authentication remote-id '${plan.remote.id}'`,
    `${peer} connection-type '${plan.initiator ? "initiate" : "respond"}'`,
    `${peer} ike-group '${name}'`,
    `${peer} default-esp-group '${name}'`,
    `${peer} local-address '${plan.local.address}'`,
    `${peer} remote-address '${plan.remote.address}'`,
    ...plan.selectors.flatMap((selector, index) => {
      const t = `${peer} tunnel ${index + 1}`;
      return [
        `# tunnel ${index + 1}: ${selector.what}`,
        `${t} protocol '${selector.local.protocol === "udp" ? "udp" : selector.local.protocol}'`,
        `${t} local prefix '${prefix(selector.local)}'`,
        ...(selector.local.port === null ? [] : [`${t} local port '${selector.local.port}'`]),
        `${t} remote prefix '${prefix(selector.remote)}'`,
        ...(selector.remote.port === null ? [] : [`${t} remote port '${selector.remote.port}'`]),
      ];
    }),
  ];
}

export function vyosIpsecUndo(plan: IpsecPlan): string[] {
  // The peer first: VyOS refuses to delete a group a peer still uses.
  return [
    `delete vpn ipsec site-to-site peer ${plan.name}`,
    `delete vpn ipsec esp-group ${plan.name}`,
    `delete vpn ipsec ike-group ${plan.name}`,
    `delete vpn ipsec authentication psk ${plan.name}`,
  ];
}

// ---- Cisco IOS XE -------------------------------------------------------------------------------

/**
 * One crypto map per router, shared by every tenant's tunnels (an interface takes one map); each
 * tunnel is one entry, numbered from its VLAN (unique in the private cloud) and ordinal.
 */
export const IOSXE_CRYPTO_MAP = "BRIDGEHEAD";
/**
 * IOS XE's `dpd <interval> <retry-interval> periodic` takes, second, the seconds between retries
 * of an unanswered check (2–60), not how many (IOS XE has no setting for that). 5 s keeps a dead
 * edge bridge's detection near the plan's interval; it is not the plan's retry count.
 */
export const IOSXE_DPD_RETRY_INTERVAL_SECONDS = 5;
export const IOSXE_DPD_ACTION = "clears the SAs; the next VXLAN packet through the crypto map negotiates them again (dpd periodic)";

export function iosxeCryptoMapSequence(vlanId: number, ordinal: number): number {
  return vlanId * 10 + ordinal;
}

const iosxeObject = (plan: IpsecPlan) => plan.name.toUpperCase();

function iosxeAce(selector: { local: SelectorEnd; remote: SelectorEnd }): string {
  const end = (e: SelectorEnd) => `host ${e.address}${e.port === null ? "" : ` eq ${e.port}`}`;
  const protocol = selector.local.protocol === "udp" ? "udp" : String(selector.local.protocol);
  return ` permit ${protocol} ${end(selector.local)} ${end(selector.remote)}`;
}

export function iosxeIpsecConfig(plan: IpsecPlan, underlayInterface: string, sequence: number): string[] {
  const { suite, timers } = plan;
  const o = iosxeObject(plan);
  return [
    `! IPsec to the AVS edge bridge's strongSwan (${plan.remote.hostname}): IKEv2, transport mode, only the tunnel's own traffic.`,
    `crypto ikev2 proposal ${o}`,
    ` encryption aes-gcm-${suite.ike.cipher.keyBits}`,
    ` prf ${suite.ike.prf}`,
    ` group ${suite.ike.dhGroup}`,
    "!",
    `crypto ikev2 policy ${o}`,
    ` match address local ${plan.local.address}`,
    ` proposal ${o}`,
    "!",
    "! The key is its base64 text as it stands (the strongSwan end uses the same text).",
    `crypto ikev2 keyring ${o}`,
    ` peer ${plan.remote.hostname}`,
    `  address ${plan.remote.address}`,
    `  pre-shared-key ${plan.psk}`,
    "!",
    `crypto ikev2 profile ${o}`,
    ` match identity remote address ${plan.remote.id} 255.255.255.255`,
    ` identity local address ${plan.local.id}`,
    " authentication remote pre-share",
    " authentication local pre-share",
    ` keyring local ${o}`,
    ` lifetime ${timers.ikeLifetimeSeconds}`,
    ` dpd ${timers.dpdDelaySeconds} ${IOSXE_DPD_RETRY_INTERVAL_SECONDS} periodic`,
    "!",
    `crypto ipsec transform-set ${o} esp-gcm ${suite.esp.cipher.keyBits}`,
    ` mode ${plan.mode}`,
    "!",
    "! One entry per direction: VXLAN's source port is a flow hash, only the destination port is fixed.",
    `ip access-list extended ${o}-VXLAN`,
    ...plan.selectors.map(iosxeAce),
    "!",
    `crypto map ${IOSXE_CRYPTO_MAP} ${sequence} ipsec-isakmp`,
    ` set peer ${plan.remote.address}`,
    ` set transform-set ${o}`,
    ` set pfs group${suite.esp.pfsGroup}`,
    ` set security-association lifetime seconds ${timers.childLifetimeSeconds}`,
    ` set ikev2-profile ${o}`,
    ` match address ${o}-VXLAN`,
    "!",
    `! The map on the underlay NIC: nve1's VXLAN toward ${plan.remote.address} leaves through it.`,
    `interface ${underlayInterface}`,
    ` crypto map ${IOSXE_CRYPTO_MAP}`,
    "!",
  ];
}

export function iosxeIpsecUndo(plan: IpsecPlan, sequence: number): string[] {
  const o = iosxeObject(plan);
  return [
    `! The crypto map entry first: it refers to everything below. The map stays on the underlay NIC for`,
    `! other tunnels; remove it with "no crypto map ${IOSXE_CRYPTO_MAP}" under the interface once it has no entry.`,
    `no crypto map ${IOSXE_CRYPTO_MAP} ${sequence} ipsec-isakmp`,
    `no ip access-list extended ${o}-VXLAN`,
    `no crypto ipsec transform-set ${o} esp-gcm ${plan.suite.esp.cipher.keyBits}`,
    `no crypto ikev2 profile ${o}`,
    `no crypto ikev2 keyring ${o}`,
    `no crypto ikev2 policy ${o}`,
    `no crypto ikev2 proposal ${o}`,
    "!",
  ];
}

// ---- MikroTik RouterOS v7 -----------------------------------------------------------------------

const ROUTEROS_GROUP: Record<DhGroup, string> = { 19: "ecp256", 20: "ecp384" };
const routerosCipher = (cipher: AeadCipher) => `aes-${cipher.keyBits}-gcm`;
/** RouterOS durations: 4h, 1h, 30s. */
export const routerosDuration = (seconds: number) => humanSeconds(seconds).replace(" ", "").replace("min", "m");

export const ROUTEROS_DPD_ACTION = "drops the SAs and, as the initiator, negotiates them again";

/**
 * The menus the IPsec adds to, in apply order. Profiles and proposals take no comment, so the
 * undo script removes all five by the connection's name (policies and identities by their peer's).
 */
export const ROUTEROS_IPSEC_MENUS = ["/ip ipsec profile", "/ip ipsec proposal", "/ip ipsec peer", "/ip ipsec identity", "/ip ipsec policy"] as const;

export function routerosIpsecCommands(plan: IpsecPlan, comment: string): string[] {
  const { suite, timers } = plan;
  const q = (value: string) => `"${value}"`;
  const n = q(plan.name);
  const c = `comment=${q(comment)}`;
  const policy = (selector: { local: SelectorEnd; remote: SelectorEnd }) => {
    const ports = [selector.local.port === null ? "" : ` src-port=${selector.local.port}`, selector.remote.port === null ? "" : ` dst-port=${selector.remote.port}`].join("");
    const prefix = (e: SelectorEnd) => `${e.address}/${e.address.includes(":") ? 128 : 32}`;
    return `add peer=${n} src-address=${prefix(selector.local)} dst-address=${prefix(selector.remote)} protocol=${selector.local.protocol}${ports} tunnel=no action=encrypt level=unique proposal=${n} ${c}`;
  };
  return [
    `# IPsec to the AVS edge bridge's strongSwan (${plan.remote.hostname}): IKEv2, transport mode (tunnel=no), only the tunnel's`,
    "# own traffic. Static policies, one per direction, each with its own SA (level=unique), as strongSwan's children.",
    "/ip ipsec profile",
    `add name=${n} enc-algorithm=${routerosCipher(suite.ike.cipher)} hash-algorithm=${suite.ike.prf} prf-algorithm=${suite.ike.prf} dh-group=${ROUTEROS_GROUP[suite.ike.dhGroup]} lifetime=${routerosDuration(timers.ikeLifetimeSeconds)} dpd-interval=${routerosDuration(timers.dpdDelaySeconds)} dpd-maximum-failures=${timers.dpdRetries} nat-traversal=no`,
    "/ip ipsec proposal",
    `add name=${n} enc-algorithms=${routerosCipher(suite.esp.cipher)} auth-algorithms=null pfs-group=${ROUTEROS_GROUP[suite.esp.pfsGroup]} lifetime=${routerosDuration(timers.childLifetimeSeconds)}`,
    "/ip ipsec peer",
    `add name=${n} address=${plan.remote.address}/${plan.remote.address.includes(":") ? 128 : 32} local-address=${plan.local.address} exchange-mode=ike2 profile=${n} passive=${plan.initiator ? "no" : "yes"} ${c}`,
    "# The key is its base64 text as it stands (the strongSwan end uses the same text).",
    "/ip ipsec identity",
    `add peer=${n} auth-method=pre-shared-key secret=${q(plan.psk)} my-id=address:${plan.local.id} remote-id=address:${plan.remote.id} generate-policy=no ${c}`,
    "/ip ipsec policy",
    ...plan.selectors.map(policy),
  ];
}

export function routerosIpsecUndo(plan: IpsecPlan): string[] {
  const n = `"${plan.name}"`;
  return [
    `/ip ipsec policy remove [find peer=${n}]`,
    `/ip ipsec identity remove [find peer=${n}]`,
    `/ip ipsec peer remove [find name=${n}]`,
    `/ip ipsec proposal remove [find name=${n}]`,
    `/ip ipsec profile remove [find name=${n}]`,
  ];
}
