#!/usr/bin/env bash
# Runs the load rows of docs/benchmarks.md against Goldmine and the two
# peers of protocol v1 (../shared/peers: Node ws, Tornado), in one sitting,
# the servers interleaved (A B C, C B A, A B C), and prints each run's JSON
# report under a "== row server run" header, then the medians of 3.
# It takes about 20 minutes. Usage: bench/all.sh [output file]
#
#   PEERS=dir     where the peers are (default ../shared/peers)
#   ADDR=host:port  where the servers listen (default 127.0.0.1:18181)
#   BASELINE=bin  also run this goldmine binary (say, the code before a
#                 change) as a fourth server, "baseline", in the same rounds
#   MORE=1        also the older rows (10 rooms, saturation, 10,000 idle
#                 sockets, the bare relay), Goldmine only
#
# Every server is started fresh for each run, and
# Goldmine on a fresh database with --sync=full (the default) and its
# per-address limits raised: here one address plays every player.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/dev/stdout}"
peers="${PEERS:-../shared/peers}"
addr="${ADDR:-127.0.0.1:18181}"
tmp="$(mktemp -d)"
db="$tmp/bench.db"
go build -o "$tmp/goldmine" . && go build -o "$tmp/relay" ./bench/relay
# The Node peer's folder may be read-only: its ws dependency is installed
# in a copy.
cp -r "$peers/node" "$tmp/peer-node" && (cd "$tmp/peer-node" && npm ci --silent)

SRV=
stop() { [ -n "$SRV" ] && kill "$SRV" && wait "$SRV" || true; SRV=; }
trap stop EXIT
up() { for _ in $(seq 100); do curl -sf "http://$addr/healthz" >/dev/null && return; sleep 0.1; done; echo "server did not start" >&2; exit 1; }
goldmine() { start_goldmine "$tmp/goldmine"; }
baseline() { start_goldmine "$BASELINE"; }
start_goldmine() {
  rm -f "$db"*
  "$1" --db "$db" --addr $addr --api-rate 100000 --api-burst 100000 \
    --max-conns-per-ip 100000 --max-tcp-conns 100000 --max-tcp-conns-per-ip 100000 --max-spectators 2000 \
    --log-level warn 2>/dev/null &
  SRV=$!; up
}
node() { command node "$tmp/peer-node/server.js" --addr $addr >/dev/null 2>&1 & SRV=$!; up; }
tornado() { /usr/bin/python3 "$peers/tornado/server.py" --addr $addr >/dev/null 2>&1 & SRV=$!; up; }
relay() { "$tmp/relay" --addr $addr 2>/dev/null & SRV=$!; sleep 0.3; }
bench() { "$tmp/goldmine" bench --url "http://$addr" --quiet --json --pid "$SRV" "$@"; }
results="$tmp/results.jsonl"
run() { # run ROW SERVER RUN BENCH-FLAGS...
  local row=$1 server=$2 i=$3; shift 3
  $server
  echo "== $row $server $i" >>"$out"
  bench "$@" | tee -a "$out" | jq -c --arg row "$row" --arg server "$server" '{row: $row, server: $server} + .' >>"$results"
  stop
}

# The three rows, each server three times, interleaved.
row() { # row NAME BENCH-FLAGS...
  local name=$1; shift
  for i in 1 2 3; do
    order="goldmine node tornado${BASELINE:+ baseline}"
    if [ $((i % 2)) = 0 ]; then order="$(echo $order | tr ' ' '\n' | tac | tr '\n' ' ')"; fi
    for s in $order; do run "$name" $s $i "$@"; done
  done
}
row rooms200 --rooms 200 --think 50ms --duration 20s --ramp 2s
row rooms1000 --rooms 1000 --think 50ms --duration 20s --ramp 5s
row quiet5000 --rooms 0 --idle 5000 --duration 10s

echo "== medians of 3 (move→broadcast; CPU from /proc; RSS per quiet socket net of the RSS before)" >>"$out"
jq -rs '
  def med: sort | .[length/2|floor] | . * 100 | round / 100;
  group_by(.row + " " + .server)[] |
  "\(.[0].row) \(.[0].server): moves/s \(map(.moves_per_sec) | med | floor)" +
  "  p50 \(map(.move_to_broadcast.p50_ms) | med)  p99 \(map(.move_to_broadcast.p99_ms) | med)" +
  "  p99.9 \(map(.move_to_broadcast.p999_ms) | med) ms" +
  "  cores \(map(.server_cpu_cores // 0) | med)  µs/move \(map(.server_cpu_us_per_move // 0) | med)" +
  "  bench µs/move \(map(.generator_cpu_us_per_move // 0) | med)" +
  "  KB/quiet socket \(map(.server_rss_kb_per_idle_socket // 0) | med)  errors \(map(.errors | length) | add)"
' "$results" >>"$out"

if [ "${MORE:-}" = 1 ]; then
  for i in 1 2 3; do run "rooms10" goldmine $i --rooms 10 --duration 20s; done
  for i in 1 2 3; do run "rooms10" relay $i --rooms 10 --duration 20s --verify=false; done
  for i in 1 2 3; do run "rooms1000-60s" goldmine $i --rooms 1000 --duration 60s --ramp 5s; done
  for i in 1 2 3; do run "rooms1000-60s" relay $i --rooms 1000 --duration 60s --ramp 5s --verify=false; done
  for r in 300 500 700 850; do run "saturation-$r" goldmine 1 --rooms $r --duration 30s --ramp 3s; done
  for i in 1 2 3; do run "idle10000" goldmine $i --rooms 10 --idle 10000 --duration 20s; done
fi
