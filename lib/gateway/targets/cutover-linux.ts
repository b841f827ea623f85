/**
 * The cut-over's source half on a Linux router: the source site's router (whatever holds the
 * subnet's default gateway address today) lets the address go, so the Tier-1 can take it without
 * two hosts answering for one address; the restore script takes it back after a rollback.
 *
 * Order (docs/decisions.md, "The end of a stretch"): cut-over = this file first, then the console's
 * cut-over (the agents' probe shows nobody answers for the address any more); rollback = the
 * console's rollback first (the Tier-1 lets go), then the restore file.
 *
 * The scripts find the address by itself (`ip -o address show to`), check it is on the planned
 * interface when one was named, and keep the interface and prefix they removed in a state file,
 * so the restore puts back exactly what was there. They change the running system only: the
 * header says how to keep the address off after a reboot in each Linux network format.
 */
import { gatewayHost } from "@/lib/domain/stretch";
import { headerLines } from "../header";
import { GeneratorInputError, type GatewayContext, type GatewayTarget } from "../types";
import { LINUX_IFNAME_MAX } from "./linux-source-gateway";

export function cutoverStem(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-gateway`;
}

/** True once a cut-over is planned, until the stretch ends: the files the cut-over and its rollback need. */
export function hasCutoverFiles(context: GatewayContext): boolean {
  return context.stretch !== null && ["cutover-planned", "cutting-over", "cut-over", "rolling-back"].includes(context.stretch.stage);
}

/** The plan the cut-over files are written for; a generator asked without one refuses, as for any missing input. */
export function plannedStretch(context: GatewayContext): NonNullable<GatewayContext["stretch"]> {
  if (!context.stretch) throw new GeneratorInputError("stretch", "No cut-over is planned: plan one on the tenant's page to get these files.");
  return context.stretch;
}

function linuxSettings(context: GatewayContext): string[] {
  const stretch = plannedStretch(context);
  const iface = stretch.sourceInterface;
  if (iface !== null && (iface.length > LINUX_IFNAME_MAX || iface.includes("/"))) {
    throw new GeneratorInputError("stretch.sourceInterface", `"${iface}" is not a Linux interface name (at most ${LINUX_IFNAME_MAX} characters, no "/").`);
  }
  return [
    `GATEWAY="${stretch.gatewayAddress}"`,
    `HOST="${gatewayHost(stretch.gatewayAddress)}"`,
    `# The interface planned in Bridgehead; empty: whichever interface holds the address.`,
    `PLANNED_IFACE="${iface ?? ""}"`,
    `STATE_FILE="\${BRIDGEHEAD_STATE_DIR:-/var/lib/bridgehead}/${cutoverStem(context)}"`,
  ];
}

const PERSIST = [
  "This changes the running system only. Keep the address off after a reboot too, in the format the router uses:",
  "  systemd-networkd: remove the Address= line from the interface's .network file;",
  "  netplan: remove it from the interface's addresses: list, then netplan generate;",
  "  ifupdown/ifupdown2: remove the address line from its iface stanza in /etc/network/interfaces.",
];

function header(context: GatewayContext, kind: "cut-over" | "restore"): string[] {
  const stem = cutoverStem(context);
  const gateway = plannedStretch(context).gatewayAddress;
  return headerLines(context, {
    comment: "#",
    title: kind === "cut-over" ? `Source site's router, Linux: release the gateway ${gateway} for the cut-over` : `Source site's router, Linux: take the gateway ${gateway} back after a rollback`,
    apply:
      kind === "cut-over"
        ? [
            "On the router that holds the subnet's default gateway today, just before the cut-over:",
            `sudo bash ${stem}-cutover.sh   (safe to run again)`,
            "Then, in Bridgehead, check that the gateway pre-check shows nobody answering, and cut over.",
            ...PERSIST,
          ]
        : ["After Bridgehead shows the rollback done (the Tier-1 has let the address go):", `sudo bash ${stem}-restore.sh   (safe to run again)`, "and put the address back in the router's network configuration if you took it out."],
    undo: kind === "cut-over" ? [`sudo bash ${stem}-restore.sh (after a rollback in Bridgehead)`] : [`sudo bash ${stem}-cutover.sh`],
  });
}

function helpers(): string[] {
  return [
    'fail() { echo "$(basename "$0"): $*" >&2; exit 1; }',
    '[ "$(id -u)" -eq 0 ] || fail "run me as root (sudo)."',
    "command -v ip >/dev/null || fail \"iproute2 (the ip command) is not installed.\"",
    "# The devices holding HOST, one per line (ip -o prints the device second).",
    "holders() { ip -o address show to \"$HOST\" | awk '{print $2}' | sort -u; }",
  ];
}

function cutoverScript(context: GatewayContext): string {
  return [
    "#!/usr/bin/env bash",
    ...header(context, "cut-over"),
    "",
    "set -euo pipefail",
    "",
    ...linuxSettings(context),
    "",
    ...helpers(),
    "",
    'held="$(holders)"',
    'if [ -z "$held" ]; then',
    '  if [ -e "$STATE_FILE" ]; then echo "$HOST is already released (from $(cut -d" " -f1 "$STATE_FILE")); nothing to do."; exit 0; fi',
    '  fail "no interface of this host holds $HOST. Run me on the router that is the subnet\'s default gateway today."',
    "fi",
    '[ "$(wc -l <<<"$held")" -eq 1 ] || fail "$HOST is on several interfaces ($(tr "\\n" " " <<<"$held")); release it by hand."',
    'dev="$held"',
    '[ -z "$PLANNED_IFACE" ] || [ "$dev" = "$PLANNED_IFACE" ] || fail "$HOST is on $dev, not on $PLANNED_IFACE as planned in Bridgehead. Check the plan, or release it by hand."',
    "# The address as configured, with its own prefix: what the restore puts back.",
    "addr=\"$(ip -o address show dev \"$dev\" to \"$HOST\" | awk '{print $4}' | head -n 1)\"",
    'mkdir -p "$(dirname "$STATE_FILE")"',
    'echo "$dev $addr" >"$STATE_FILE"',
    'ip address del "$addr" dev "$dev"',
    'echo "Released $addr from $dev. The Tier-1 can take $GATEWAY now: cut over in Bridgehead. Undo: the restore script."',
    "",
  ].join("\n");
}

function restoreScript(context: GatewayContext): string {
  const ipv4 = !plannedStretch(context).gatewayAddress.includes(":");
  return [
    "#!/usr/bin/env bash",
    ...header(context, "restore"),
    "",
    "set -euo pipefail",
    "",
    ...linuxSettings(context),
    "",
    ...helpers(),
    "",
    'if [ -e "$STATE_FILE" ]; then',
    '  read -r dev addr <"$STATE_FILE"',
    'elif [ -n "$PLANNED_IFACE" ]; then',
    '  dev="$PLANNED_IFACE"; addr="$GATEWAY"',
    "else",
    '  fail "no record of where $HOST was ($STATE_FILE is missing) and no interface planned in Bridgehead: add it back by hand."',
    "fi",
    'ip link show dev "$dev" >/dev/null 2>&1 || fail "$dev does not exist on this host."',
    'held="$(holders)"',
    'if [ -n "$held" ]; then',
    '  [ "$held" = "$dev" ] || fail "$HOST is already on $held; not adding it to $dev as well."',
    '  echo "$HOST is already on $dev."',
    "else",
    '  ip address add "$addr" dev "$dev"',
    ...(ipv4
      ? [
          "  # Tell the subnet at once (gratuitous ARP), so workloads stop using the Tier-1's MAC without waiting for their ARP entries to age.",
          '  if command -v arping >/dev/null; then arping -q -U -c 2 -I "$dev" "$HOST" || true; fi',
        ]
      : []),
    '  echo "Restored $addr on $dev."',
    "fi",
    'rm -f "$STATE_FILE"',
    "",
  ].join("\n");
}

export const cutoverLinuxTarget: GatewayTarget = {
  id: "cutover-linux",
  label: "Cut-over, source site's router: Linux",
  role: "cut-over",
  sides: ["source"],
  summary: "On a Linux router that holds the subnet's gateway today: release the address before the cut-over, restore it after a rollback.",
  applyOrder: 100,
  appliesTo: hasCutoverFiles,
  generate(context) {
    const dir = "cutover/linux";
    const stem = cutoverStem(context);
    return [
      { path: `${dir}/${stem}-cutover.sh`, contents: cutoverScript(context), mode: 0o755 },
      { path: `${dir}/${stem}-restore.sh`, contents: restoreScript(context), mode: 0o755 },
    ];
  },
};
