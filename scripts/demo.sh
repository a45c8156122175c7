#!/usr/bin/env bash
# A walk through Portcullis in two throw-away network namespaces: a server
# whose port 22 is closed by nftables, and a client that knocks to get in.
#   sudo ./scripts/demo.sh            (runs scripts/setup.sh first)
#   sudo ./scripts/demo.sh --no-setup
# Exits non-zero if any step does not behave as described.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: network namespaces need root; run: sudo $0" >&2
  exit 1
fi
[ "${1:-}" = "--no-setup" ] || ./scripts/setup.sh >/dev/null

# ---------------------------------------------------------------- the stage
ID="pcdemo-$$-$(printf '%04x' $((RANDOM)))"
SERVER_NS="$ID-server"
CLIENT_NS="$ID-client"
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
SERVER_IP="$NET.1"
CLIENT_IP="$NET.2"
PORT=22
CONFIG="$ROOT/examples/demo.conf"
WORK=$(mktemp -d "/tmp/$ID.XXXXXX")
LOG="$WORK/portcullis.log"
DAEMON_PID=""
SERVICE_PID=""

cleanup() {
  set +e
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
  for ns in "$SERVER_NS" "$CLIENT_NS"; do
    if ip netns list | grep -q "^$ns\b"; then
      for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
      ip netns del "$ns"
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -t 1 ]; then B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' N=$'\033[0m'; else B='' G='' R='' N=''; fi
say()  { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
ok()   { printf '    %sok:%s %s\n' "$G" "$N" "$*"; }
fail() { printf '    %sUNEXPECTED:%s %s\n' "$R" "$N" "$*" >&2; exit 1; }
in_server() { ip netns exec "$SERVER_NS" "$@"; }
in_client() { ip netns exec "$CLIENT_NS" "$@"; }
SHOWN=0
# Prints the daemon's log lines not shown yet.
daemon_log() {
  local total
  total=$(wc -l <"$LOG")
  if [ "$total" -gt "$SHOWN" ]; then sed -n "$((SHOWN + 1)),${total}p" "$LOG" | sed 's/^/    | /'; fi
  SHOWN=$total
}

# Prints the service's greeting, or fails (refused, or no answer within 2 s).
connect() {
  in_client timeout 2 bash -c "exec 3<>/dev/tcp/$SERVER_IP/$PORT && head -n 1 <&3" 2>/dev/null
}

# wait_for SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds.
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

say "Building two network namespaces: server $SERVER_IP and client $CLIENT_IP"
ip netns add "$SERVER_NS"
ip netns add "$CLIENT_NS"
ip -n "$CLIENT_NS" link add eth0 type veth peer name eth0 netns "$SERVER_NS"
ip -n "$SERVER_NS" addr add "$SERVER_IP/24" dev eth0
ip -n "$CLIENT_NS" addr add "$CLIENT_IP/24" dev eth0
for ns in "$SERVER_NS" "$CLIENT_NS"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
done
ok "namespaces $SERVER_NS and $CLIENT_NS"

say "Server: a service on port $PORT, and an nftables rule that drops it for everyone not in the set 'allowed'"
in_server nft -f - <<NFT
table inet demo {
  set allowed { type ipv4_addr; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport $PORT ip saddr @allowed accept
    tcp dport $PORT drop
  }
}
NFT
in_server node -e "
  require('node:net').createServer((s) => s.end('hello from the server behind the portcullis\n'))
    .listen($PORT, () => console.log('listening'));" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
wait_for 10 grep -q listening "$WORK/service.log" || fail "the service did not start: $(cat "$WORK/service.log")"
in_server nft list table inet demo | sed 's/^/    | /'

say "Server: starting the daemon: portcullis serve -c examples/demo.conf -i eth0"
sed 's/^/    | /' "$CONFIG"
in_server node bin/portcullis serve -c "$CONFIG" -i eth0 --state-dir "$WORK/state" >"$LOG" 2>&1 &
DAEMON_PID=$!
daemon_ready() {
  grep -q 'starting up, listening on' "$LOG" && return 0
  kill -0 "$DAEMON_PID" 2>/dev/null || { daemon_log; fail "portcullis exited"; }
  return 1
}
wait_for 20 daemon_ready || { daemon_log; fail "portcullis did not start"; }
daemon_log

say "Client: connecting to $SERVER_IP:$PORT before knocking (the firewall drops it)"
if reply=$(connect); then fail "connected without knocking: $reply"; fi
ok "no connection (timed out after 2 s)"

say "Client: knocking 7000, 8000, 9000: portcullis knock -v $SERVER_IP 7000 8000 9000"
in_client node bin/portcullis knock -v "$SERVER_IP" 7000 8000 9000 | sed 's/^/    | /'
wait_for 5 grep -q "$CLIENT_IP: openSSH: OPEN SESAME" "$LOG" || { daemon_log; fail "the daemon did not open the door"; }
wait_for 5 in_server nft get element inet demo allowed "{ $CLIENT_IP }" >/dev/null 2>&1 || { daemon_log; fail "the start command did not run"; }
daemon_log
OPENED=$(date +%s%N)

say "Client: connecting again"
reply=$(connect) || fail "could not connect after knocking"
ok "the service answered: $reply"

say "Waiting for cmd_timeout (5 s): the stop command takes the client out of the set"
wait_for 10 sh -c "! ip netns exec $SERVER_NS nft get element inet demo allowed '{ $CLIENT_IP }' >/dev/null 2>&1" \
  || { daemon_log; fail "the door did not close"; }
ok "closed $(( ($(date +%s%N) - OPENED) / 1000000 )) ms after opening"
daemon_log
if reply=$(connect); then fail "still connected after the door closed: $reply"; fi
ok "no connection again"

say "Done: refused, knocked, let in, shut out again. Cleaning up."
