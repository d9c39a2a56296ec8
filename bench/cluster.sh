#!/usr/bin/env bash
# Runs the cluster figures of docs/benchmarks.md in one session: one node
# on SQLite, one node on PostgreSQL and two nodes on PostgreSQL, three runs
# each, interleaved, and prints each run's JSON report under a "== name"
# header. It takes about 11 minutes.
#
# Usage: GOLDMINE_BENCH_POSTGRES=postgres://user@host:port bench/cluster.sh [rooms] [output file]
# The PostgreSQL server must let that user create and drop the database
# gmbench, which each run makes afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
rooms="${1:-1000}"
out="${2:-/dev/stdout}"
pg="${GOLDMINE_BENCH_POSTGRES:?set GOLDMINE_BENCH_POSTGRES to a PostgreSQL server URL, without a database}"
sqlite="$(mktemp -d)/bench.db"
go build -o /tmp/goldmine-bench-bin .

PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" && wait "$p" || true; done; PIDS=(); }
trap stop EXIT
freshpg() { psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS gmbench WITH (FORCE)" -c "CREATE DATABASE gmbench" >/dev/null; }
# node PORT DB [flags]: the server's own limits are raised, as in all.sh.
node() {
  local port=$1 db=$2; shift 2
  /tmp/goldmine-bench-bin --db "$db" --addr 127.0.0.1:$port --api-rate 100000 --api-burst 100000 \
    --max-conns-per-ip 100000 --max-tcp-conns 100000 --max-tcp-conns-per-ip 100000 --max-rooms-per-player 0 --log-level warn "$@" 2>/dev/null &
  PIDS+=($!)
}
bench() { /tmp/goldmine-bench-bin bench --quiet --json --rooms "$rooms" --duration 30s --ramp 3s "$@"; }

for i in 1 2 3; do
  rm -f "$sqlite"*; node 18181 "$sqlite"; sleep 0.5
  echo "== sqlite one node rooms=$rooms run $i" >>"$out"; bench --url http://127.0.0.1:18181 >>"$out"; stop

  freshpg; node 18181 "$pg/gmbench?sslmode=disable" --node-id n1; sleep 0.5
  echo "== postgres one node rooms=$rooms run $i" >>"$out"; bench --url http://127.0.0.1:18181 >>"$out"; stop

  freshpg
  node 18181 "$pg/gmbench?sslmode=disable" --node-id n1 --advertise-url http://127.0.0.1:18181; sleep 0.5
  node 18182 "$pg/gmbench?sslmode=disable" --node-id n2 --advertise-url http://127.0.0.1:18182; sleep 0.5
  echo "== postgres two nodes rooms=$rooms run $i" >>"$out"
  bench --url http://127.0.0.1:18181,http://127.0.0.1:18182 >>"$out"; stop
done
