#!/usr/bin/env bash
# Test harness for the generated swanctl.conf snippets (strongswan.test.ts runs it as root inside
# `unshare --net --fork`, so nothing here touches the host's network, IPsec policies or ports).
#
#   strongswan-harness.sh load WORKDIR CONF...
#       One charon-systemd; each CONF is installed as the only file in conf.d/ (as on a gateway)
#       and loaded with `swanctl --load-all`; prints swanctl's output, its exit status and
#       `swanctl --list-conns` per file.
#   strongswan-harness.sh negotiate WORKDIR SOURCE_CONF SOURCE_IP AVS_CONF AVS_IP
#       Two charon-systemd daemons in two network namespaces joined by a veth pair carrying the
#       underlay addresses; loads the responder (AVS) first, then the initiator, waits until IKE
#       settles and prints both daemons' logs. The kernel here cannot install ESP states, so
#       child SAs fail at the very last step; IKE, authentication, proposals and the selection of
#       each child's twin happen for real.
set -euo pipefail
mode=$1 work=$2
shift 2

# Only the plugins these configs need (a gateway loads every installed one): no stroke socket
# or updown script may reach the host's /run or /etc.
plugins="random nonce aes sha1 sha2 hmac kdf pem pkcs1 x509 gmp gcm openssl kernel-netlink socket-default vici"

daemon_dir() {
  local dir=$work/$1
  mkdir -p "$dir/swanctl/conf.d"
  # Debian's /etc/swanctl/swanctl.conf is this one line.
  echo 'include conf.d/*.conf' >"$dir/swanctl/swanctl.conf"
  for sub in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do mkdir -p "$dir/swanctl/$sub"; done
  cat >"$dir/strongswan.conf" <<EOF
charon-systemd {
  load = $plugins
  plugins {
    vici {
      socket = unix://$dir/charon.vici
    }
  }
  journal {
    default = -1
  }
  filelog {
    harness {
      path = $dir/charon.log
      default = 1
      cfg = 2
      # The harness greps the log while charon runs.
      flush_line = yes
    }
  }
}
swanctl {
  load = pem pkcs1 x509 openssl
}
EOF
}

swanctl_in() {
  local dir=$work/$1
  shift
  STRONGSWAN_CONF=$dir/strongswan.conf swanctl "$@" --uri "unix://$dir/charon.vici"
}

wait_for_socket() {
  for _ in $(seq 100); do
    [ -S "$work/$1/charon.vici" ] && return 0
    sleep 0.1
  done
  echo "charon-systemd did not open its vici socket in 10 s" >&2
  cat "$work/$1/charon.log" >&2 || true
  exit 1
}

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The address with its host prefix; IPv6 without duplicate address detection (it would hold the address back).
host_addr() { [[ $1 == *:* ]] && echo "$1/128 nodad" || echo "$1/32"; }
host_route() { [[ $1 == *:* ]] && echo "$1/128" || echo "$1/32"; }

case $mode in
  load)
    ip link set lo up
    daemon_dir one
    STRONGSWAN_CONF=$work/one/strongswan.conf /usr/sbin/charon-systemd &
    pids+=($!)
    wait_for_socket one
    for conf in "$@"; do
      rm -f "$work/one/swanctl/conf.d/"*.conf
      cp "$conf" "$work/one/swanctl/conf.d/"
      echo "=== load $(basename "$conf")"
      status=0
      swanctl_in one --load-all --noprompt --file "$work/one/swanctl/swanctl.conf" 2>&1 || status=$?
      echo "=== status $status"
      swanctl_in one --list-conns 2>&1
    done
    # The header's undo: with the file gone, --load-all unloads the connection.
    rm -f "$work/one/swanctl/conf.d/"*.conf
    echo "=== unload"
    swanctl_in one --load-all --noprompt --file "$work/one/swanctl/swanctl.conf" 2>&1 || true
    echo "=== remaining"
    swanctl_in one --list-conns 2>&1
    ;;
  negotiate)
    source_conf=$1 source_ip=$2 avs_conf=$3 avs_ip=$4
    daemon_dir source
    daemon_dir avs
    cp "$source_conf" "$work/source/swanctl/conf.d/"
    cp "$avs_conf" "$work/avs/swanctl/conf.d/"
    # The AVS end lives in a second namespace, held open by a sleeping process.
    unshare --net sleep 120 &
    holder=$!
    pids+=("$holder")
    for _ in $(seq 50); do [ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
    ip link set lo up
    ip link add bh-src type veth peer name bh-avs
    ip link set bh-avs netns "$holder"
    read -ra source_addr <<<"$(host_addr "$source_ip")"
    read -ra avs_addr <<<"$(host_addr "$avs_ip")"
    ip addr add "${source_addr[@]}" dev bh-src
    ip link set bh-src up
    ip route add "$(host_route "$avs_ip")" dev bh-src
    in_avs() { nsenter -t "$holder" -n "$@"; }
    in_avs ip link set lo up
    in_avs ip addr add "${avs_addr[@]}" dev bh-avs
    in_avs ip link set bh-avs up
    in_avs ip route add "$(host_route "$source_ip")" dev bh-avs
    STRONGSWAN_CONF=$work/avs/strongswan.conf nsenter -t "$holder" -n /usr/sbin/charon-systemd &
    pids+=($!)
    STRONGSWAN_CONF=$work/source/strongswan.conf /usr/sbin/charon-systemd &
    pids+=($!)
    wait_for_socket avs
    wait_for_socket source
    swanctl_in avs --load-all --noprompt --file "$work/avs/swanctl/swanctl.conf" >/dev/null 2>&1
    swanctl_in source --load-all --noprompt --file "$work/source/swanctl/swanctl.conf" >/dev/null 2>&1
    # Settled: both children matched on the responder, or authentication failed somewhere.
    for _ in $(seq 150); do
      matched=$(grep -c 'found matching child config' "$work/avs/charon.log" || true)
      if [ "$matched" -ge 2 ] || grep -qE 'AUTHENTICATION_FAILED|MAC mismatched|NO_PROPOSAL_CHOSEN notify error|TS_UNACCEPTABLE' "$work/source/charon.log" "$work/avs/charon.log"; then break; fi
      sleep 0.1
    done
    echo "=== source log"
    cat "$work/source/charon.log"
    echo "=== avs log"
    cat "$work/avs/charon.log"
    ;;
  *)
    echo "usage: $0 load|negotiate WORKDIR ..." >&2
    exit 2
    ;;
esac
