#!/bin/sh
# examples/python/room-app.py against a real room server: two instances in
# one room over 127.0.0.1. Both must say "done" (a connected peer, video, a
# stats line with frames, the other's hello on the data channel) within the
# bound, then leave cleanly on SIGTERM (exit 0). Exit 77 (skip) when python3-gi or GStreamer's typelibs are
# missing; a missing GstWebRTCRoom typelib is a failure (the build makes it).
set -u
PYTHON=/usr/bin/python3
APP="$WEBRTC_ROOM_SOURCE_ROOT/examples/python/room-app.py"
BOUND=${WEBRTC_ROOM_SLOW:+150}
BOUND=${BOUND:-90}

if ! "$PYTHON" -c "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0')" 2>/dev/null; then
  echo "SKIP: python3-gi or gir1.2-gstreamer-1.0/gir1.2-gst-plugins-bad-1.0 missing"
  exit 77
fi
"$PYTHON" -c "import gi; gi.require_version('GstWebRTCRoom', '1.0'); from gi.repository import GstWebRTCRoom" || {
  echo "FAIL: the GstWebRTCRoom typelib does not load (GI_TYPELIB_PATH=$GI_TYPELIB_PATH)"; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/wr-pyapp.XXXXXX")
PIDS=""
cleanup() {
  for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$DIR"
}
trap cleanup EXIT

"$WEBRTC_ROOM_SERVER" --host 127.0.0.1 --port 0 --stun-port 0 > "$DIR/server.out" 2> "$DIR/server.err" &
SERVER=$!
PIDS="$SERVER"
i=0
until grep -q "listening on" "$DIR/server.out" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 $SERVER 2>/dev/null; then
    echo "FAIL: the server did not start"; cat "$DIR/server.err"; exit 1
  fi
  sleep 0.1
done
URL=$(sed -n 's|.*listening on \(ws://[^ ]*\) .*|\1|p' "$DIR/server.out")
echo "server: $URL"

for who in first second; do
  "$PYTHON" "$APP" --url "$URL" --room pytest --name $who --local-address 127.0.0.1 \
    --seconds $((BOUND + 30)) > "$DIR/$who.out" 2>&1 &
  PIDS="$PIDS $!"
  eval "PID_$who=$!"
done
# both say "done" (connected, video, a stats line, the other's hello), then
# both get SIGTERM and must leave cleanly
END=$(($(date +%s) + BOUND))
until grep -qs "^first: done" "$DIR/first.out" && grep -qs "^second: done" "$DIR/second.out"; do
  [ "$(date +%s)" -lt $END ] || { echo "FAIL: not both done within $BOUND s"; break; }
  sleep 0.5
done
status() {
  kill -TERM "$1"
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -0 "$1" 2>/dev/null && { echo "FAIL: pid $1 still running 10 s after SIGTERM"; kill -KILL "$1"; }
  wait "$1"
}
status $PID_second
RC=$?
status $PID_first
RC_FIRST=$?
echo "--- second (exit $RC)"; cat "$DIR/second.out"
echo "--- first (exit $RC_FIRST)"; cat "$DIR/first.out"

ok=0
[ $RC -eq 0 ] || { echo "FAIL: second exited $RC"; ok=1; }
[ $RC_FIRST -eq 0 ] || { echo "FAIL: first exited $RC_FIRST"; ok=1; }
for who in first second; do
  for pattern in "^$who: done: connected, video, stats and data" \
    "^$who: receiving video from [0-9a-f]* 320x240" \
    "^$who: data from [0-9a-f]*: hello from " \
    "^$who: stats [0-9a-f]*: video [0-9.]* fps ([1-9][0-9]* frames), in [0-9]* kbit/s, out [0-9]* kbit/s, ice host-host" \
    "^$who: bye"; do
    grep -q "$pattern" "$DIR/$who.out" || { echo "FAIL: $who printed no '$pattern'"; ok=1; }
  done
done
exit $ok
