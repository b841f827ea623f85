/**
 * The telemetry agent itself: one Python 3 program (standard library only, 3.9 or later, so
 * Debian 11+, Ubuntu 22.04+ and RHEL 9 run it as shipped) that every tunnel end runs unchanged.
 * It holds no tenant value at all: everything that differs per end arrives through the
 * environment (bridgehead-agent.env via systemd's EnvironmentFile=), so nothing an operator
 * typed can ever become Python code. The tests compare it byte for byte across tenants.
 *
 * Kept as String.raw so Python's backslashes reach the file as written; the program must not
 * contain a backtick or a dollar sign followed by a brace.
 */
export const AGENT_SCRIPT = String.raw`#!/usr/bin/python3
"""Bridgehead telemetry agent: measures this tunnel end once and posts one sample to the console.

bridgehead-agent.timer runs it every 30 s (bridgehead-agent.service, Type=oneshot). Its settings
come from the environment, normally /etc/bridgehead/bridgehead-agent.env:

  CONSOLE_URL            the console's https:// origin
  AGENT_TOKEN            this end's agent token (agt_...), from the console
  PEER                   the other end's underlay address
  PEER_TENANT_PROBE_MTU  the tenant's inner MTU (the largest tenant packet the tunnel carries)
  TUNNEL_OVERHEAD_BYTES  what the encapsulation and the transport add to each tenant packet
  VXLAN_DEVICE           the tunnel device, for its counters (optional)
  BRIDGE_DEVICE          the tenant bridge, for broadcast/multicast rate and learned MACs (optional)
  GATEWAY_PROBE          the subnet's (planned) IPv4 gateway address, probed on the bridge (optional)
  PAIR_STATE             where this end's pair helper keeps its state, e.g. /run/bridgehead/bh-x-t1-source
                         (only for a tunnel in an active/standby pair)
  CA_FILE                a CA or certificate file to trust for CONSOLE_URL (optional)
  STATE_DIRECTORY        where the spool and the last counter readings live (systemd sets it)

Exit status: 0 sent; 75 kept in the spool for a later run (console unreachable, or it asked to
slow down); 78 a setting is missing or wrong; 1 the console refused the samples as invalid.
Python 3.9+, standard library only.
"""

import datetime
import http.client
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

EX_OK, EX_REFUSED, EX_TEMPFAIL, EX_CONFIG = 0, 1, 75, 78

TOKEN_PATTERN = re.compile(r"^agt_[A-Za-z0-9_-]{43}$")
DEVICE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
PAIR_STATE_PATTERN = re.compile(r"^/run/bridgehead/[a-z0-9-]{1,80}$")
PAIR_ROLES = ("active", "standby", "fault")
PAIR_REASON_PATTERN = re.compile(r"^[a-z-]{1,32}$")
# The pair helper's check runs every second and writes its .rx file each time: older than this,
# keepalived has stopped running it, and the role on file may no longer be true.
PAIR_HEARTBEAT_MAX_AGE_S = 10
ENV_FILE = "/etc/bridgehead/bridgehead-agent.env"

PING_PROBES = 10
DF_PROBES = 3
# The console's schema: latencies up to 60 s, hops 1..64, probe sizes 68..9216 bytes.
MAX_MS = 60000.0
MAX_HOPS = 64
PATH_MAX_TTL = 20
# A sample older than the console's raw retention (7 days) would be refused with the whole batch.
MAX_SPOOL_AGE_S = 6 * 24 * 3600
# 4 hours at one sample every 30 s; older samples are dropped first.
MAX_SPOOL = 480
# Well under the console's 1000 samples and 1 MiB per request, even with long hop paths.
BATCH = 100
HTTP_TIMEOUT_S = 10
# Counter readings further apart than this do not make a meaningful rate.
MAX_RATE_GAP_S = 600
# The console's schema: at most this many MACs listed per side of the bridge, lower-case unicast.
MAX_MACS_LISTED = 1024
MAC_PATTERN = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


class ConfigError(Exception):
    pass


def log(message):
    print("bridgehead-agent: " + message, file=sys.stderr, flush=True)


def read_config():
    env = os.environ
    token = env.get("AGENT_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "AGENT_TOKEN is not set in " + ENV_FILE + ". In the console, open the tenant's page, "
            "rotate this end's agent token and paste it after AGENT_TOKEN= in that file; "
            "the agent will not run without it."
        )
    if not TOKEN_PATTERN.match(token):
        raise ConfigError("AGENT_TOKEN in " + ENV_FILE + " is not an agent token (agt_ and 43 characters). Paste it again from the console.")
    url = env.get("CONSOLE_URL", "").strip().rstrip("/")
    if not url.startswith("https://"):
        raise ConfigError("CONSOLE_URL in " + ENV_FILE + " must be the console's https:// address; the token is never sent without TLS.")
    try:
        peer = ipaddress.ip_address(env.get("PEER", "").strip())
    except ValueError:
        raise ConfigError("PEER in " + ENV_FILE + " must be the other end's underlay IP address.")
    try:
        inner_mtu = int(env.get("PEER_TENANT_PROBE_MTU", ""))
        overhead = int(env.get("TUNNEL_OVERHEAD_BYTES", ""))
    except ValueError:
        raise ConfigError("PEER_TENANT_PROBE_MTU and TUNNEL_OVERHEAD_BYTES in " + ENV_FILE + " must be whole numbers.")
    ca_file = env.get("CA_FILE", "").strip() or None
    if ca_file and not os.access(ca_file, os.R_OK):
        raise ConfigError("CA_FILE " + ca_file + " cannot be read. The agent runs as an unprivileged user: make the file readable (mode 644) and keep it out of /root and /home.")
    devices = {}
    for key in ("VXLAN_DEVICE", "BRIDGE_DEVICE"):
        name = env.get(key, "").strip()
        if name and not DEVICE_PATTERN.match(name):
            raise ConfigError(key + " in " + ENV_FILE + " is not a Linux interface name.")
        devices[key] = name or None
    gateway_probe = env.get("GATEWAY_PROBE", "").strip() or None
    if gateway_probe:
        try:
            gateway_probe = str(ipaddress.IPv4Address(gateway_probe))
        except ValueError:
            raise ConfigError("GATEWAY_PROBE in " + ENV_FILE + " must be the subnet's IPv4 gateway address, as the console wrote it.")
    pair_state = env.get("PAIR_STATE", "").strip() or None
    if pair_state and not PAIR_STATE_PATTERN.match(pair_state):
        raise ConfigError("PAIR_STATE in " + ENV_FILE + " must be the pair helper's state path under /run/bridgehead/, as the console wrote it.")
    state_dir = (env.get("STATE_DIRECTORY", "").split(":")[0] or "/var/lib/bridgehead-agent").strip()
    return {
        "url": url + "/api/v1/telemetry",
        "token": token,
        "peer": str(peer),
        "ipv6": peer.version == 6,
        "inner_mtu": inner_mtu,
        # What dfProbe.bytes means: the size of the whole IP packet sent to the peer's underlay
        # address with don't-fragment set. A tenant packet of PEER_TENANT_PROBE_MTU bytes becomes
        # an underlay packet of that size plus the encapsulation and transport overhead, so this
        # is the largest outer packet the tunnel needs the underlay path to carry unfragmented
        # (the underlay MTU the console's budget assumes). The tenant's own inner side cannot be
        # probed from the underlay, so the outer size is what is measured.
        "df_bytes": inner_mtu + overhead,
        "ca_file": ca_file,
        "vxlan": devices["VXLAN_DEVICE"],
        "bridge": devices["BRIDGE_DEVICE"],
        "pair_state": pair_state,
        "gateway_probe": gateway_probe,
        "state_dir": state_dir,
    }


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(command, timeout):
    """Runs a measuring tool in the C locale. None when it is not installed; a timed-out run keeps what it printed."""
    # The tools need the C locale, not this agent's bearer token.
    env = {key: value for key, value in os.environ.items() if key != "AGENT_TOKEN"}
    env["LC_ALL"] = "C"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
        return Result(done.returncode, done.stdout, done.stderr)
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired as expired:
        def text(value):
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else (value or "")
        return Result(None, text(expired.stdout), text(expired.stderr))


SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) received")
REPLY_RTT = re.compile(r"time=([0-9.]+) ms")


def clamp_ms(value):
    return round(min(max(value, 0.0), MAX_MS), 3)


def measure_latency(config):
    """RTT, jitter and loss from PING_PROBES echo requests to the peer's underlay address.

    Jitter is the mean absolute difference between the RTTs of successive replies (RFC 3550's
    interarrival jitter without its 1/16 smoothing), not ping's mdev: mdev is a standard
    deviation, and a path whose RTT drifts slowly has a large one with no jitter at all.
    """
    result = run(["ping", "-n", "-c", str(PING_PROBES), "-i", "0.2", "-W", "2", "-w", "8", config["peer"]], timeout=15)
    if result is None:
        log("ping is not installed (apt-get install iputils-ping): no RTT, jitter or loss in this sample.")
        return {}, 0
    summary = SUMMARY.search(result.stdout)
    if not summary:
        text = (result.stderr or result.stdout).strip()
        if "unreachable" in text.lower():
            # No route to the peer at all: that is total loss, not a missing measurement.
            return {"rttMs": None, "jitterMs": None, "lossPct": 100.0}, 0
        log("ping could not run (" + (text.splitlines()[-1] if text else "exit " + str(result.returncode)) + "): no RTT, jitter or loss in this sample.")
        return {}, 0
    sent, received = int(summary.group(1)), int(summary.group(2))
    rtts = [float(value) for value in REPLY_RTT.findall(result.stdout)]
    measured = {
        "rttMs": clamp_ms(sum(rtts) / len(rtts)) if rtts else None,
        "jitterMs": clamp_ms(sum(abs(b - a) for a, b in zip(rtts, rtts[1:])) / (len(rtts) - 1)) if len(rtts) > 1 else None,
        "lossPct": round(100.0 * (sent - min(received, sent)) / sent, 1) if sent else None,
    }
    return measured, received


def measure_df(config):
    """True when a don't-fragment packet of df_bytes reaches the peer and comes back."""
    size = config["df_bytes"]
    if size < 68 or size > 9216:
        log("the don't-fragment probe would be " + str(size) + " bytes, outside 68..9216: check PEER_TENANT_PROBE_MTU and TUNNEL_OVERHEAD_BYTES.")
        return None
    # ping's -s is the ICMP payload: the IP header (20, or 40 for IPv6) and ICMP's 8 come on top.
    payload = size - (48 if config["ipv6"] else 28)
    result = run(["ping", "-n", "-c", str(DF_PROBES), "-i", "0.2", "-W", "2", "-M", "do", "-s", str(payload), config["peer"]], timeout=12)
    if result is None:
        return None
    summary = SUMMARY.search(result.stdout)
    if summary:
        # One reply is enough: losing all of DF_PROBES while ordinary pings get through is the MTU.
        return {"bytes": size, "ok": int(summary.group(2)) > 0}
    if "message too long" in (result.stdout + result.stderr).lower():
        return {"bytes": size, "ok": False}
    return None


TRACEPATH_HOP = re.compile(r"^\s*(\d+)\??:\s+(.*)$")
TRACEROUTE_HOP = re.compile(r"^\s*(\d+)\s+(\S+)(?:\s+([0-9.]+) ms)?")
HOP_RTT = re.compile(r"([0-9.]+)ms")


def address_or_none(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def parse_tracepath(output):
    hops = {}
    for line in output.splitlines():
        match = TRACEPATH_HOP.match(line)
        if not match:
            continue
        ttl, rest = int(match.group(1)), match.group(2).strip()
        if rest.startswith("[LOCALHOST]") or not 1 <= ttl <= MAX_HOPS:
            continue
        address = address_or_none(rest.split()[0]) if rest else None
        if address is None and not rest.startswith("no reply"):
            continue
        rtt = HOP_RTT.search(rest) if address else None
        hop = {"ttl": ttl, "address": address, "rttMs": clamp_ms(float(rtt.group(1))) if rtt else None}
        # tracepath prints a TTL again after learning a smaller MTU; keep an answer over a silence.
        if ttl not in hops or hops[ttl]["address"] is None:
            hops[ttl] = hop
    return [hops[ttl] for ttl in sorted(hops)][:MAX_HOPS]


def parse_traceroute(output):
    hops = []
    for line in output.splitlines()[1:]:
        match = TRACEROUTE_HOP.match(line)
        if not match or not 1 <= int(match.group(1)) <= MAX_HOPS:
            continue
        address = address_or_none(match.group(2))
        rtt = match.group(3)
        hops.append({"ttl": int(match.group(1)), "address": address, "rttMs": clamp_ms(float(rtt)) if address and rtt else None})
    return hops[:MAX_HOPS]


def measure_path(config):
    """The hop path toward the peer's underlay address: tracepath, else traceroute -n, else none.

    A run cut short by the timeout still reports the hops it found.
    """
    result = run(["tracepath", "-n", "-m", str(PATH_MAX_TTL), config["peer"]], timeout=12)
    if result is not None:
        return parse_tracepath(result.stdout) or None
    result = run(["traceroute", "-n", "-q", "1", "-w", "2", "-m", str(PATH_MAX_TTL), config["peer"]], timeout=12)
    if result is not None:
        return parse_traceroute(result.stdout) or None
    return None


def read_statistic(device, name):
    try:
        with open("/sys/class/net/" + device + "/statistics/" + name) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def measure_counters(config):
    """The tunnel device's byte and packet counters since it was created; None without the device."""
    if not config["vxlan"]:
        return None
    names = {"txBytes": "tx_bytes", "rxBytes": "rx_bytes", "txPackets": "tx_packets", "rxPackets": "rx_packets"}
    values = {key: read_statistic(config["vxlan"], name) for key, name in names.items()}
    if any(value is None for value in values.values()):
        log(config["vxlan"] + " has no readable counters (is the tunnel up?): counters left out of this sample.")
        return None
    return values


def measure_bum_rate(config, state, now):
    """Broadcast and multicast frames per second on the tenant bridge, from two runs' readings.

    An approximation: the bridge hands up to its own device every broadcast and multicast frame it
    floods (the bridge itself is a member of every flood), and little else on a gateway that has
    no address on the bridge. Unknown-unicast floods are not handed up unless the bridge is
    promiscuous, so they are not counted. The rate is the change of the bridge's received-packets
    counter over the time between two runs; the first run, a reboot or a recreated bridge gives
    none.
    """
    if not config["bridge"]:
        return None
    count = read_statistic(config["bridge"], "rx_packets")
    previous = state.get("bum") or {}
    if count is None:
        state.pop("bum", None)
        return None
    state["bum"] = {"device": config["bridge"], "rxPackets": count, "at": now}
    if previous.get("device") != config["bridge"] or not isinstance(previous.get("at"), (int, float)):
        return None
    elapsed = now - previous["at"]
    if elapsed <= 0 or elapsed > MAX_RATE_GAP_S or count < previous.get("rxPackets", 0):
        return None
    return round((count - previous["rxPackets"]) / elapsed, 3)


def measure_learned_macs(config):
    """MAC addresses the tenant bridge learned, split by where it learned them.

    "local": on this side's own ports, the workloads here; "tunnel": through the VXLAN device,
    the workloads at the other end as this bridge sees them. Dynamic entries only (not the
    bridge's own or static ones) and unicast only. The console compares both ends' lists to say
    where the workloads are before a cut-over (and counts for tromboning); a MAC flood on this
    side shows up in the count, which is always exact even when a list is cut at
    MAX_MACS_LISTED. Returns (count of local MACs, the lists) or None.
    """
    if not config["bridge"]:
        return None
    result = run(["bridge", "-j", "fdb", "show", "br", config["bridge"]], timeout=5)
    if result is None or result.returncode != 0:
        return None
    try:
        entries = json.loads(result.stdout or "[]")
    except ValueError:
        return None
    local, tunnel = set(), set()
    for entry in entries:
        if entry.get("master") != config["bridge"] or entry.get("state") in ("permanent", "static") or "self" in (entry.get("flags") or []):
            continue
        mac = str(entry.get("mac", "")).lower()
        # The group bit (first octet odd) marks multicast and broadcast: never a workload.
        if not MAC_PATTERN.match(mac) or int(mac[:2], 16) & 1:
            continue
        (tunnel if entry.get("ifname") == config["vxlan"] else local).add(mac)
    lists = {
        "local": sorted(local)[:MAX_MACS_LISTED],
        "tunnel": sorted(tunnel)[:MAX_MACS_LISTED],
        "truncated": len(local) > MAX_MACS_LISTED or len(tunnel) > MAX_MACS_LISTED,
    }
    return len(local), lists


def probe_gateway(config):
    """The MACs that answer an ARP probe for GATEWAY_PROBE sent on the tenant bridge, or None.

    An RFC 5227 probe (sender address 0.0.0.0), so no host on the subnet updates its ARP cache
    from it; hosts holding the address answer it all the same. The probe floods to every bridge
    port, the tunnel included: which of the answers came from this side is decided afterwards,
    from where the bridge learned each one (measure_learned_macs). Replies are awaited 1 s.
    """
    if not config["bridge"] or not config["gateway_probe"]:
        return None
    target = ipaddress.IPv4Address(config["gateway_probe"]).packed
    answered = set()
    try:
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)) as sock:
            sock.bind((config["bridge"], 0))
            own = sock.getsockname()[4]
            arp = b"\x00\x01\x08\x00\x06\x04\x00\x01" + own + bytes(4) + bytes(6) + target
            sock.send(b"\xff" * 6 + own + b"\x08\x06" + arp + bytes(18))
            deadline = time.monotonic() + 1.0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    frame = sock.recv(128)
                except socket.timeout:
                    break
                # An ARP reply (operation 2) whose sender address is the one probed.
                if len(frame) >= 42 and frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02" and frame[28:32] == target:
                    answered.add(":".join("%02x" % byte for byte in frame[22:28]))
    except OSError as error:
        log("cannot probe " + config["gateway_probe"] + " on " + config["bridge"] + " (" + str(error) + "): gatewayProbe left out of this sample.")
        return None
    return answered


def measure_pair(config, now):
    """This end's role in its tunnel pair, as the pair helper last wrote it, or None.

    If keepalived stopped running the helper's check (no heartbeat), the role on file is what the
    tunnel port was left at, which may be open: it is reported as it is, with the reason
    "keepalived-silent", so the console can warn rather than trust it.
    """
    if not config["pair_state"]:
        return None
    role = read_json(config["pair_state"] + ".role", {})
    since = role.get("since")
    if role.get("role") not in PAIR_ROLES or not isinstance(since, str):
        log("no pair role in " + config["pair_state"] + ".role yet (is keepalived running with the pair helper?): pair left out of this sample.")
        return None
    try:
        datetime.datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        return None
    reason = role.get("reason") if isinstance(role.get("reason"), str) and PAIR_REASON_PATTERN.match(role.get("reason")) else "unknown"
    try:
        heartbeat_age = now - os.stat(config["pair_state"] + ".rx").st_mtime
    except OSError:
        heartbeat_age = None
    if heartbeat_age is None or heartbeat_age > PAIR_HEARTBEAT_MAX_AGE_S:
        reason = "keepalived-silent"
    return {"role": role["role"], "since": since, "reason": reason}


def measure(config, state):
    now = time.time()
    sample = {"measuredAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    latency, replies = measure_latency(config)
    sample.update(latency)
    # A probe lost along with every ordinary ping says nothing about the MTU: leave it out.
    if replies > 0:
        df = measure_df(config)
        if df is not None:
            sample["dfProbe"] = df
    path = measure_path(config)
    if path:
        sample["path"] = path
    counters = measure_counters(config)
    if counters is not None:
        sample["counters"] = counters
    bum = measure_bum_rate(config, state, now)
    if bum is not None:
        sample["bumPps"] = bum
    # The probe first: the bridge learns where each answer came from before its table is read.
    answered = probe_gateway(config)
    macs = measure_learned_macs(config)
    if macs is not None:
        sample["learnedMacs"], sample["macs"] = macs
        if answered is not None:
            own_side = set(sample["macs"]["local"])
            sample["gatewayProbe"] = {"address": config["gateway_probe"], "answeredBy": sorted(mac for mac in answered if mac in own_side)[:16]}
    pair = measure_pair(config, time.time())
    if pair is not None:
        sample["pair"] = pair
    return sample


def read_json(path, default):
    try:
        with open(path) as handle:
            value = json.load(handle)
        return value if isinstance(value, type(default)) else default
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as error:
        log("ignoring unreadable " + path + ": " + str(error))
        return default


def write_json(path, value):
    """Replaces the file in one step, so a crash never leaves half a spool."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    with os.fdopen(handle, "w") as out:
        json.dump(value, out, separators=(",", ":"))
    os.replace(temporary, path)


def measured_epoch(sample):
    try:
        return datetime.datetime.fromisoformat(sample["measuredAt"].replace("Z", "+00:00")).timestamp()
    except (KeyError, TypeError, ValueError):
        return None


def prune(samples, now):
    """Drops spooled samples the console would refuse as too old, keeps the newest MAX_SPOOL, one per measuredAt."""
    seen, kept = set(), []
    for sample in samples:
        at = measured_epoch(sample) if isinstance(sample, dict) else None
        if at is None or now - at > MAX_SPOOL_AGE_S or sample["measuredAt"] in seen:
            continue
        seen.add(sample["measuredAt"])
        kept.append(sample)
    kept.sort(key=measured_epoch)
    if len(kept) > MAX_SPOOL:
        log("the spool is full: dropping the " + str(len(kept) - MAX_SPOOL) + " oldest samples.")
    return kept[-MAX_SPOOL:]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the bearer token to another address: treat it as an error."""

    def redirect_request(self, *args, **kwargs):
        return None


def post(config, body):
    context = ssl.create_default_context(cafile=config["ca_file"])
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirects())
    request = urllib.request.Request(
        config["url"],
        data=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        method="POST",
        headers={"Authorization": "Bearer " + config["token"], "Content-Type": "application/json", "User-Agent": "bridgehead-agent/1"},
    )
    try:
        with opener.open(request, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def retry_after_seconds(headers):
    value = (headers.get("Retry-After") or "").strip() if headers else ""
    if value.isdigit():
        return int(value)
    try:
        when = datetime.datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=datetime.timezone.utc)
        return max(0, int(when.timestamp() - time.time()))
    except ValueError:
        return 60


def send(config, spool, state, save):
    """Posts the spool oldest first in batches; returns the exit status. save() records progress."""
    now = time.time()
    not_before = state.get("notBefore")
    if isinstance(not_before, (int, float)) and not_before > now:
        log("the console asked for a pause (429 Retry-After) until " + str(int(not_before - now)) + " s from now; " + str(len(spool)) + " sample(s) kept in the spool.")
        return EX_TEMPFAIL
    state.pop("notBefore", None)
    while spool:
        batch = spool[:BATCH]
        # One sample on its own is posted as itself; a spool backlog as a batch.
        body = batch[0] if len(batch) == 1 else {"samples": batch}
        try:
            status, headers, text = post(config, body)
        except ssl.SSLError as error:
            hint = "" if config["ca_file"] else " If the console uses a self-signed certificate, set CA_FILE in " + ENV_FILE + "."
            log("TLS with " + config["url"] + " failed (" + str(error) + ")." + hint + " " + str(len(spool)) + " sample(s) kept in the spool.")
            return EX_TEMPFAIL
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, ssl.SSLError):
                hint = "" if config["ca_file"] else " If the console uses a self-signed certificate, set CA_FILE in " + ENV_FILE + "."
                log("TLS with " + config["url"] + " failed (" + str(reason) + ")." + hint + " " + str(len(spool)) + " sample(s) kept in the spool.")
            else:
                log("the console at " + config["url"] + " is unreachable (" + str(reason) + "); " + str(len(spool)) + " sample(s) kept in the spool for the next run.")
            return EX_TEMPFAIL
        if 200 <= status < 300:
            del spool[: len(batch)]
            save()
            print("bridgehead-agent: sent " + str(len(batch)) + " sample(s): " + text.strip(), flush=True)
            continue
        if status == 429:
            wait = retry_after_seconds(headers)
            state["notBefore"] = time.time() + wait
            log("the console answered 429 (too many requests) with Retry-After " + str(wait) + " s: not sending before then; " + str(len(spool)) + " sample(s) kept in the spool.")
            return EX_TEMPFAIL
        if status in (401, 403):
            log("the console refused AGENT_TOKEN (" + str(status) + "). Rotate this end's agent token on the tenant's page and paste it into " + ENV_FILE + "; " + str(len(spool)) + " sample(s) kept in the spool.")
            return EX_CONFIG
        if 400 <= status < 500:
            # Refused as invalid: sending the same samples again would be refused again.
            del spool[: len(batch)]
            save()
            log("the console refused " + str(len(batch)) + " sample(s) with " + str(status) + " and they were dropped: " + text.strip()[:2000])
            return EX_REFUSED
        log("the console answered " + str(status) + "; " + str(len(spool)) + " sample(s) kept in the spool for the next run.")
        return EX_TEMPFAIL
    return EX_OK


def main():
    try:
        config = read_config()
    except ConfigError as error:
        log(str(error))
        return EX_CONFIG
    state_file = os.path.join(config["state_dir"], "state.json")
    spool_file = os.path.join(config["state_dir"], "spool.json")
    state = read_json(state_file, {})
    sample = measure(config, state)
    spool = prune(read_json(spool_file, []) + [sample], time.time())

    def save():
        write_json(spool_file, spool)
        write_json(state_file, state)

    save()
    status = send(config, spool, state, save)
    save()
    return status


if __name__ == "__main__":
    sys.exit(main())
`;
