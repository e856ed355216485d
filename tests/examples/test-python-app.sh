#!/bin/sh
# examples/python/room-app.py against a real room server: two instances in
# one room over 127.0.0.1. The second runs with --until-done (a connected
# peer, video, a stats line and data-channel text) and must exit 0 within its
# bound; the first then gets SIGTERM and must have seen video and the
# other's hello. Exit 77 (skip) when python3-gi or GStreamer's typelibs are
# missing; a missing GstWebRTCRoom typelib is a failure (the build makes it).
set -u
PYTHON=/usr/bin/python3
APP="$WEBRTC_ROOM_SOURCE_ROOT/examples/python/room-app.py"
BOUND=${WEBRTC_ROOM_SLOW:+120}
BOUND=${BOUND:-60}

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

"$PYTHON" "$APP" --url "$URL" --room pytest --name first --local-address 127.0.0.1 \
  --seconds $((BOUND + 30)) > "$DIR/first.out" 2>&1 &
FIRST=$!
PIDS="$PIDS $FIRST"
"$PYTHON" "$APP" --url "$URL" --room pytest --name second --local-address 127.0.0.1 \
  --until-done --seconds "$BOUND" > "$DIR/second.out" 2>&1
RC=$?
kill -TERM $FIRST
i=0
while kill -0 $FIRST 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait $FIRST
RC_FIRST=$?
echo "--- second (--until-done, exit $RC)"; cat "$DIR/second.out"
echo "--- first (SIGTERM, exit $RC_FIRST)"; cat "$DIR/first.out"

ok=0
[ $RC -eq 0 ] || { echo "FAIL: second exited $RC"; ok=1; }
[ $RC_FIRST -eq 0 ] || { echo "FAIL: first exited $RC_FIRST"; ok=1; }
for pattern in "^second: done: connected, video, stats and data" \
  "^second: stats [0-9a-f]*: video [0-9.]* fps ([1-9][0-9]* frames), in [0-9]* kbit/s, out [0-9]* kbit/s, ice host-host"; do
  grep -q "$pattern" "$DIR/second.out" || { echo "FAIL: second printed no '$pattern'"; ok=1; }
done
for pattern in "^first: receiving video from [0-9a-f]* 320x240" "^first: data from [0-9a-f]*: hello from second" "^first: bye"; do
  grep -q "$pattern" "$DIR/first.out" || { echo "FAIL: first printed no '$pattern'"; ok=1; }
done
exit $ok
