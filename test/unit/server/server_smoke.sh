#!/usr/bin/env bash
# Smoke test of the built binary: start crsync-server on port 0, wait for its port file, curl
# /healthz and /metrics, send SIGTERM and require exit code 0. Usage: server_smoke.sh BINARY SCHEMAS
# Every wait is bounded; exits non-zero with a message on any failure.
set -u
binary="$1"
schemas="$2"
work="$(mktemp -d)"
trap 'kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$binary" --port 0 --port-file "$work/port" --db-folder "$work/dbs" --schema-folder "$schemas" \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
[ -s "$work/port" ] || { echo "no port file"; cat "$work/stderr"; exit 1; }
port="$(cat "$work/port")"
grep -q "^crsync-server listening on http://127.0.0.1:$port (sync path /sync)$" "$work/stdout" \
  || { echo "unexpected ready line: $(cat "$work/stdout")"; exit 1; }
[ "$(curl -s --max-time 5 "http://127.0.0.1:$port/healthz")" = "ok" ] || { echo "healthz"; exit 1; }
curl -s --max-time 5 "http://127.0.0.1:$port/metrics" | grep -q '^crsync_connections 0$' \
  || { echo "metrics"; exit 1; }
kill -TERM "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then echo "still running 10 s after SIGTERM"; exit 1; fi
wait "$pid"
code=$?
[ "$code" = 0 ] || { echo "exit code $code"; cat "$work/stderr"; exit 1; }
grep -q "server stopped" "$work/stderr" || { echo "no 'server stopped' log line"; exit 1; }
echo "smoke ok"
