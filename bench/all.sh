#!/usr/bin/env bash
# Runs every load figure of docs/benchmarks.md in one session and prints
# each run's JSON report under a "== name" header. It takes about 15
# minutes. Usage: bench/all.sh [output file]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/dev/stdout}"
addr=127.0.0.1:18181
db="$(mktemp -d)/bench.db"
go build -o /tmp/goldmine-bench-bin . && go build -o /tmp/goldmine-relay ./bench/relay

SRV=
stop() { [ -n "$SRV" ] && kill "$SRV" && wait "$SRV" || true; SRV=; }
trap stop EXIT
# The server's own limits are raised: here one address plays every player.
goldmine() {
  rm -f "$db"*
  /tmp/goldmine-bench-bin --db "$db" --addr $addr --api-rate 100000 --api-burst 100000 \
    --max-conns-per-ip 100000 --max-tcp-conns 100000 --max-tcp-conns-per-ip 100000 --max-spectators 2000 --log-level warn "$@" 2>/dev/null &
  SRV=$!; sleep 0.5
}
relay() { /tmp/goldmine-relay --addr $addr 2>/dev/null & SRV=$!; sleep 0.3; }
bench() { /tmp/goldmine-bench-bin bench --url "http://$addr" --quiet --json --pid "$SRV" "$@"; }
run() { # run NAME SERVER BENCH-FLAGS...
  local name=$1 server=$2; shift 2
  $server; echo "== $name" >>"$out"; bench "$@" >>"$out"; stop
}

for i in 1 2 3; do run "goldmine baseline rooms=10 run $i" goldmine --rooms 10 --duration 20s; done
for i in 1 2 3; do run "relay baseline rooms=10 run $i" relay --rooms 10 --duration 20s --verify=false; done
for i in 1 2 3; do run "goldmine rooms=1000 run $i" goldmine --rooms 1000 --duration 60s --ramp 5s; done
for i in 1 2 3; do run "relay rooms=1000 run $i" relay --rooms 1000 --duration 60s --ramp 5s --verify=false; done
for r in 300 500 700 850; do run "goldmine saturation rooms=$r" goldmine --rooms $r --duration 30s --ramp 3s; done
for i in 1 2 3; do run "goldmine idle=10000 run $i" goldmine --rooms 10 --idle 10000 --duration 20s; done
