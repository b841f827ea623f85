/**
 * For tests: runs the real systemd-networkd on a set of units in a throw-away network namespace
 * and reports what it made of them. `systemd-analyze verify` only knows unit files, not
 * .netdev/.network, so this is how to have networkd itself parse ours: every complaint it logs
 * about a file ("…netdev:7: Failed to parse…", "…netdev: VXLAN without valid VNI…") is a
 * problem, and the links it creates show that the units mean what we intended.
 *
 * The namespace has its own links and a private mount table: the units are bind-mounted over
 * /etc/systemd/network, the distribution's own .network files are hidden, and /run is a fresh
 * tmpfs, so the host's networkd and its files are never touched. /sys is mounted read-only,
 * which is how networkd learns there is no udev to wait for (as in a container).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Requirement } from "@/tests/support/gateway-tools";

export const NETWORKD = "/lib/systemd/systemd-networkd";
const WAIT_ONLINE = "/lib/systemd/systemd-networkd-wait-online";

const SCRIPT = `
set -euo pipefail
work=$1; wait_secs=$2; nics=$3; wait_for=$4
log="$work/networkd.log"
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/netif
# networkd drops to this user and keeps its state (which wait-online reads) here.
chown systemd-network:systemd-network /run/systemd/netif
mount --bind "$work/units" /etc/systemd/network
for dir in /usr/lib/systemd/network /lib/systemd/network /usr/local/lib/systemd/network; do
  if [ -d "$dir" ]; then mount -t tmpfs tmpfs "$dir"; fi
done
mount -t sysfs -o ro sysfs /sys
ip link set lo up
i=0
for nic in $nics; do
  # A veth pair stands in for the NIC; its peer is up, so the NIC gets carrier.
  ip link add name "$nic" type veth peer name "bhpeer$i"
  ip link set "bhpeer$i" up
  i=$((i + 1))
done
SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 SYSTEMD_LOG_LEVEL=info ${NETWORKD} >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
# networkd logs this after it has read every unit and listed the links; complaints about files come first.
deadline=$((SECONDS + wait_secs))
until grep -q "Enumeration completed" "$log"; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "sandbox: systemd-networkd exited" >>"$log"; break; fi
  if [ "$SECONDS" -ge "$deadline" ]; then echo "sandbox: no enumeration within $wait_secs s" >>"$log"; break; fi
  sleep 0.05
done
if [ -n "$wait_for" ]; then
  args=()
  for link in $wait_for; do args+=("--interface=$link:carrier"); done
  ${WAIT_ONLINE} --timeout="$wait_secs" "\${args[@]}" >>"$log" 2>&1 || echo "sandbox: not configured within $wait_secs s: $wait_for" >>"$log"
fi
ip -j -d link show >"$work/links.json"
`;

export type SandboxLink = {
  ifname: string;
  flags: string[];
  mtu: number;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
};

export type NetworkdRun = {
  /** Everything networkd logged. */
  log: string;
  /** networkd's complaints about the units: every log line that names a unit file followed by ":". */
  problems: string[];
  links: SandboxLink[];
  link(name: string): SandboxLink | undefined;
};

/**
 * Runs systemd-networkd on `units` (relative path → contents; folders such as x.network.d/ are
 * made). `nics` are created first as stand-ins for the host's NICs; the run waits until the
 * links in `waitFor` are configured with carrier (or `waitSeconds` pass) before reading them.
 */
export function runNetworkd(units: Record<string, string>, options: { nics?: string[]; waitFor?: string[]; waitSeconds?: number } = {}): NetworkdRun {
  const work = mkdtempSync(path.join(tmpdir(), "bh-networkd-"));
  try {
    mkdirSync(path.join(work, "units"));
    for (const [name, contents] of Object.entries(units)) {
      const file = path.join(work, "units", name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents, { mode: 0o644 });
    }
    const result = spawnSync(
      "unshare",
      ["--net", "--mount", "bash", "-c", SCRIPT, "sandbox", work, String(options.waitSeconds ?? 20), (options.nics ?? []).join(" "), (options.waitFor ?? []).join(" ")],
      { encoding: "utf8", timeout: 60_000 },
    );
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`The networkd sandbox failed (exit ${result.status}): ${result.stderr.trim()}`);
    const log = readFileSync(path.join(work, "networkd.log"), "utf8");
    const links = JSON.parse(readFileSync(path.join(work, "links.json"), "utf8")) as SandboxLink[];
    return {
      log,
      problems: log.split("\n").filter((line) => /\/etc\/systemd\/network\/\S+?(:\d+)?: /.test(line)),
      links,
      link: (name) => links.find((link) => link.ifname === name),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Root in a place that lets it make network and mount namespaces, with systemd-networkd installed. */
export const networkdSandbox: Requirement = {
  name: "systemd-networkd sandbox",
  missing: () => {
    for (const binary of [NETWORKD, WAIT_ONLINE]) {
      if (spawnSync("test", ["-x", binary]).status !== 0) return `${binary} is not installed (apt-get install systemd)`;
    }
    if (process.getuid?.() !== 0) return "it needs root";
    const probe = spawnSync("unshare", ["--net", "--mount", "true"], { encoding: "utf8" });
    if (probe.status !== 0) return `unshare --net --mount fails here: ${probe.stderr?.trim() || probe.error?.message || `exit ${probe.status}`}`;
    return null;
  },
};

/**
 * Whether this kernel can make 802.1Q VLAN devices (the 8021q module). Some container kernels
 * cannot; tests of a tagged LAN then check everything but the VLAN device itself, and say so.
 */
export function kernelHasVlans(): boolean {
  const probe = spawnSync("unshare", ["--net", "sh", "-c", "ip link add name bhv0 type veth peer name bhv1 && ip link add link bhv0 name bhv0.5 type vlan id 5"], {
    stdio: "ignore",
  });
  return probe.status === 0;
}
