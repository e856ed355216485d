#!/bin/sh
# gst-webrtc-rooms demo: the room server plus a real two-peer session on test sources.
#
#   examples/run-demo.sh [BUILD_DIR]        (default ./build; builds nothing itself)
#   PORT=9443 STUN_PORT=13478 DEMO_SECONDS=60 examples/run-demo.sh build
#
# Starts webrtc-room-server on 127.0.0.1:$PORT (default 8443; STUN on $STUN_PORT, default
# 3478, 0 = off) serving the browser client, and two examples/c/room-app processes, alice
# and bob, in room "demo" (local-addresses 127.0.0.1, so it also works on a machine with
# only the loopback interface). Prints their per-peer state and, every 2 s, a stats line
# per peer (received fps and frames, kbit/s in and out, candidate types of the selected ICE
# pair, e.g. "ice host-host") for DEMO_SECONDS (default 20) or until Ctrl-C, then stops
# everything. Exit status 0 only if both apps reported a connected peer and received video.
# Join the same room from a browser: http://127.0.0.1:$PORT/?room=demo
set -u
BUILD=${1:-./build}
SECONDS_TO_RUN=${DEMO_SECONDS:-20}
PORT=${PORT:-8443}
STUN_PORT=${STUN_PORT:-3478}
for v in "$PORT" "$STUN_PORT" "$SECONDS_TO_RUN"; do
  case "$v" in
    ''|*[!0-9]*) echo "run-demo: PORT, STUN_PORT and DEMO_SECONDS must be numbers, not '$v'" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER="$BUILD/signaling/webrtc-room-server"
APP="$BUILD/examples/room-app"
for f in "$SERVER" "$APP"; do
  [ -x "$f" ] || { echo "run-demo: $f not found; build first: meson setup $BUILD && ninja -C $BUILD" >&2; exit 2; }
done
GST_PLUGIN_PATH="$(cd "$BUILD" && pwd)/plugins/webrtcroom${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
export GST_PLUGIN_PATH
LOG=$(mktemp -d "${TMPDIR:-/tmp}/webrtc-room-demo.XXXXXX")
PIDS=""

stop_all() {
  for p in $PIDS; do kill -INT "$p" 2>/dev/null; done
  for p in $PIDS; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$p" 2>/dev/null
  done
  PIDS=""
}
trap 'echo "run-demo: interrupted, stopping"; INTERRUPTED=1' INT TERM
INTERRUPTED=0

: > "$LOG/server.log"
"$SERVER" --host 127.0.0.1 --port "$PORT" --stun-port "$STUN_PORT" --web-root "$HERE/web" \
  > "$LOG/server.log" 2>&1 &
PIDS="$!"
i=0
until grep -qs "listening on" "$LOG/server.log"; do
  sleep 0.1; i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 $PIDS 2>/dev/null; then
    echo "run-demo: the room server did not start:" >&2; cat "$LOG/server.log" >&2; stop_all; exit 1
  fi
done
grep "listening on" "$LOG/server.log"

for who in alice bob; do
  "$APP" --url "ws://127.0.0.1:$PORT/ws" --room demo --name $who --local-address 127.0.0.1 \
    > "$LOG/$who.log" 2> "$LOG/$who.err" &
  PIDS="$PIDS $!"
  tail -n +1 -f --pid=$! "$LOG/$who.log" &
done
echo "Join the same room from a browser: http://127.0.0.1:$PORT/?room=demo"

END=$(($(date +%s) + SECONDS_TO_RUN))
while [ "$(date +%s)" -lt $END ] && [ $INTERRUPTED -eq 0 ]; do
  sleep 0.2
done
stop_all
sleep 0.2

ok=0
for who in alice bob; do
  if grep -q "^$who: peer .* connected" "$LOG/$who.log" && grep -q "^$who: receiving video from " "$LOG/$who.log"; then
    echo "run-demo: $who: connected and received video"
  else
    echo "run-demo: $who: NO connected peer with video (logs in $LOG)"; tail -5 "$LOG/$who.err" >&2; ok=1
  fi
done
[ $ok -eq 0 ] && rm -rf "$LOG"
exit $ok
