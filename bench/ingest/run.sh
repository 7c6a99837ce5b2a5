#!/usr/bin/env bash
# Ingest benchmark (not a test): wrk posts signed ~1 KB Lazada webhooks over 64 keep-alive
# connections for 10 s against `csgw serve`, and in the same run the same wrk against nginx
# answering `return 200` on another loopback port. Rounds alternate csgw / nginx; each csgw round
# starts on an empty store so every request is a new event that must be synced before its 200.
#
# Usage: bench/ingest/run.sh            (after `make build`; `make bench` does both)
# Env:   DURATION=10s CONNECTIONS=64 ROUNDS=3 REQUESTS=500000
#        CSGW_BIN=<path>  another csgw binary (a before/after comparison in back-to-back runs)
# Each csgw line ends with the CPU its threads used during the wrk run, by thread name, in % of
# one core (csgw-io: the HTTP thread, csgw-commit: the group committer, csgw-pipeline,
# rocksdb:*: RocksDB's flushes and compactions, csgw: the remaining gateway threads).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${CSGW_BIN:-$ROOT/build/release/gateway/csgw}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
ROUNDS="${ROUNDS:-3}"
REQUESTS="${REQUESTS:-500000}"
SECRET="bench-lazada-secret"

[ -x "$BIN" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: make bench-deps" >&2; exit 1; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

WORK="$(mktemp -d /tmp/csgw-bench.XXXXXX)"
CSGW_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$CSGW_PID" ] && kill "$CSGW_PID" 2>/dev/null && wait "$CSGW_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "generating $REQUESTS signed requests..." >&2
python3 "$ROOT/bench/ingest/make_requests.py" "$REQUESTS" "$WORK/requests.tsv" "$SECRET"
export CSGW_BENCH_REQUESTS="$WORK/requests.tsv"

# nginx: one worker, no access log, `return 200` (TOOLCHAIN.md's reference configuration).
NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  client_max_body_size 1m;
  client_body_buffer_size 16k;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 200 "ok"; }
  }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!

printf '%s\n' "$SECRET" > "$WORK/secret"
start_csgw() {
  rm -rf "$WORK/data" "$WORK/port"
  cat > "$WORK/csgw.json" <<CONF
{"store":{"data_dir":"$WORK/data"},
 "marketplaces":{"lazada":{"app_key":"100132","app_secret":{"file":"$WORK/secret"}}},
 "log":{"level":"warn"}}
CONF
  "$BIN" serve --config "$WORK/csgw.json" --listen 127.0.0.1:0 --port-file "$WORK/port" 2>"$WORK/csgw.log" &
  CSGW_PID=$!
  for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  CSGW_PORT="$(cat "$WORK/port")"
}
stop_csgw() { kill "$CSGW_PID"; wait "$CSGW_PID" || true; CSGW_PID=""; }

metric() { curl -s "http://127.0.0.1:$CSGW_PORT/metrics" | awk -v m="$1" '$1 ~ "^"m {s += $2} END {printf "%d", s}'; }

run_wrk() {  # $1 = url
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/bench/ingest/post.lua" "$1" | grep '^RESULT'
}

sleep 0.5
echo "csgw $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, wrk -t1 -c$CONNECTIONS -d$DURATION"
for round in $(seq "$ROUNDS"); do
  start_csgw
  python3 "$ROOT/bench/ingest/thread_cpu.py" snapshot "$CSGW_PID" > "$WORK/cpu_before.json"
  csgw_line="$(run_wrk "http://127.0.0.1:$CSGW_PORT/v1/webhooks/lazada")"
  duration_s="$(sed -E 's/.* duration_s=([0-9.]+).*/\1/' <<<"$csgw_line")"
  cpu_line="$(python3 "$ROOT/bench/ingest/thread_cpu.py" diff "$CSGW_PID" "$WORK/cpu_before.json" "$duration_s")"
  stored="$(metric 'csgw_events_stored_total')"
  dupes="$(metric 'csgw_dedupe_hits_total')"
  commits="$(metric 'csgw_store_commit_events_count')"
  # How far the pipeline (drafting, ODR counting, timers) got with the stored events.
  processed="$(metric 'csgw_pipeline_events_total')"
  stop_csgw
  nginx_line="$(run_wrk "http://127.0.0.1:$NGINX_PORT/v1/webhooks/lazada")"
  csgw_rps="$(sed -E 's/.* rps=([0-9]+).*/\1/' <<<"$csgw_line")"
  nginx_rps="$(sed -E 's/.* rps=([0-9]+).*/\1/' <<<"$nginx_line")"
  echo "round $round csgw:  $csgw_line stored=$stored dedupe_hits=$dupes group_commits=$commits pipeline_processed=$processed $cpu_line"
  echo "round $round nginx: $nginx_line"
  echo "round $round ratio csgw/nginx = $(python3 -c "print(round($csgw_rps/$nginx_rps, 3))")"
done
