#!/usr/bin/env bash
# Test harness for the telemetry agent on real devices (telemetry-agent.test.ts runs it as root
# inside `unshare --net --mount --fork`): builds the tenant bridge and the VXLAN device the agent
# reads, starts the stand-in console next to it, runs the agent twice with broadcast frames
# from a few workstations in between, and leaves the recorded requests in WORKDIR/requests.log.
#
#   telemetry-agent-harness.sh WORKDIR NODE SERVER_SCRIPT CERT KEY PYTHON AGENT FRAMES MACS
#
# The agent's settings arrive in the environment (as systemd's EnvironmentFile= gives them);
# CONSOLE_URL is set here, once the server's port is known. Prints the time around each run.
set -euo pipefail
work=$1 node=$2 server=$3 cert=$4 key=$5 python=$6 agent=$7 frames=$8 macs=$9

# This namespace's own view of /sys/class/net (the host's devices stay out of sight).
mount -t sysfs sysfs /sys
# No IPv6 chatter (router solicitations, MLD) on the bridge: every frame counted is ours.
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
ip link set lo up
# The underlay: VXLAN to a peer across a veth pair whose far end has no address, so
# encapsulated frames leave, count, and vanish.
ip link add bh-underlay type veth peer name bh-far
ip addr add 192.0.2.1/24 dev bh-underlay
ip link set bh-underlay up
ip link set bh-far up
# A resolved neighbour, so every encapsulated frame leaves (and counts) at once.
ip neigh add 192.0.2.99 lladdr 02:00:00:00:00:99 dev bh-underlay nud permanent
ip link add "$BRIDGE_DEVICE" type bridge
ip link add "$VXLAN_DEVICE" type vxlan id 10110 local 192.0.2.1 remote 192.0.2.99 dstport 4789 dev bh-underlay
# A workstation port: frames written to bh-ws enter the bridge through bh-lan.
ip link add bh-lan type veth peer name bh-ws
# The workstation end's own MAC, fixed: it is what answers the gateway probe once it holds the address.
ip link set bh-ws address 02:00:00:00:00:77
for dev in "$VXLAN_DEVICE" bh-lan; do ip link set "$dev" master "$BRIDGE_DEVICE"; done
for dev in "$BRIDGE_DEVICE" "$VXLAN_DEVICE" bh-lan bh-ws; do ip link set "$dev" up; done

"$node" "$server" "$cert" "$key" "$work/requests.log" 202 >"$work/server.out" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^port=' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^port=//p' "$work/server.out")
[ -n "$port" ] || { echo "the test server did not start:" >&2; cat "$work/server.out" >&2; exit 1; }
export CONSOLE_URL="https://127.0.0.1:$port"

# Broadcast ARP-sized frames from MACS different workstations (02:00:00:00:00:01 …), FRAMES in all.
send_frames() {
  "$python" -I -c '
import socket, sys
frames, macs = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("bh-ws", 0))
for i in range(frames):
    source = bytes([2, 0, 0, 0, 0, 1 + i % macs])
    s.send(b"\xff" * 6 + source + b"\x88\xb5" + bytes(46))
' "$1" "$2"
}

echo "run1-start $(date +%s.%N)"
status=0
"$python" -I "$agent" || status=$?
echo "run1-end $(date +%s.%N) status $status"
send_frames "$frames" "$macs"
# A host on this side takes the gateway address: it answers the agent's next probe.
ip addr add "$GATEWAY_PROBE/24" dev bh-ws
# A workload at the other end, as the bridge learns one through the tunnel.
bridge fdb add 02:00:00:00:aa:01 dev "$VXLAN_DEVICE" master dynamic
echo "run2-start $(date +%s.%N)"
status=0
"$python" -I "$agent" || status=$?
echo "run2-end $(date +%s.%N) status $status"
