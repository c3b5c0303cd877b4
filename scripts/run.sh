#!/usr/bin/env bash
# The main job: sets up, builds, and runs crsync-server with the demo schema (demo/schemas) and
# the web demo (web/dist/demo, built from demo/web by web/build.sh), then shows two native clients
# syncing a todo list through it. The server keeps running in the foreground until Ctrl-C.
#   SKIP_WEB=1 skips the wasm build (the web demo is then not served).
#   PORT=8080 (default)   HOST=127.0.0.1 (default)   DATA_DIR=./demo-data (room databases)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
if [ -x web/build.sh ] && [ "${SKIP_WEB:-0}" != 1 ]; then
  { scripts/setup-web.sh && web/build.sh; } ||
    echo "run.sh: web build failed; serving the native demo only" >&2
fi

PORT="${PORT:-8080}"
HOST="${HOST:-127.0.0.1}"
DATA_DIR="${DATA_DIR:-./demo-data}"
mkdir -p "$DATA_DIR/rooms" "$DATA_DIR/clients"
port_file="$DATA_DIR/port"
rm -f "$port_file"

static_args=()
[ "${SKIP_WEB:-0}" != 1 ] && [ -f web/dist/demo/index.html ] && static_args=(--static-dir web/dist)
./build/crsync-server --host "$HOST" --port "$PORT" --port-file "$port_file" --path /sync \
  --db-folder "$DATA_DIR/rooms" --schema-folder demo/schemas "${static_args[@]}" &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do [ -s "$port_file" ] && break; sleep 0.1; done
[ -s "$port_file" ] || { echo "run.sh: crsync-server did not start" >&2; exit 1; }
url="ws://$HOST:$(cat "$port_file")/sync"

echo
echo "=== demo: two native clients (alice, bob) sync room 'demo' through $url"
alice="$DATA_DIR/clients/alice.db"
bob="$DATA_DIR/clients/bob.db"
sync_once() { ./build/crsync sync --db "$1" --url "$url" --room demo --schema demo/schemas/todo.sql --once --quiet; }
sync_once "$alice"
sync_once "$bob"
stamp=$(date +%s)
./build/crsync exec --db "$alice" \
  "INSERT INTO todo (id, text, created_at) VALUES ('alice-$stamp', 'written by alice at $stamp', $stamp)"
./build/crsync exec --db "$bob" \
  "INSERT INTO todo (id, text, created_at) VALUES ('bob-$stamp', 'written by bob at $stamp', $stamp)"
sync_once "$alice"   # alice -> server
sync_once "$bob"     # bob -> server, server -> bob (alice's row)
sync_once "$alice"   # server -> alice (bob's row)
echo "--- alice's todo list"
./build/crsync exec --db "$alice" "SELECT id, text FROM todo ORDER BY created_at, id"
echo "--- bob's todo list"
./build/crsync exec --db "$bob" "SELECT id, text FROM todo ORDER BY created_at, id"
echo
echo "crsync-server is running: $url (health: http://$HOST:$(cat "$port_file")/healthz," \
  "metrics: /metrics)"
if [ ${#static_args[@]} -gt 0 ]; then
  echo "web demo: http://$HOST:$(cat "$port_file")/demo/index.html?room=demo (open it in two windows)"
fi
echo "keep a local file in sync: ./build/crsync sync --db my.db --url $url --room demo --schema demo/schemas/todo.sql"
echo "Ctrl-C stops the server."
wait "$server_pid"
