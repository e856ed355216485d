#!/bin/bash
# The janus suite: the room elements through a real Janus 1.1.2 VideoRoom
# (Debian's `janus`), in a network namespace of the test's own. Exits 77
# (skip) when janus is not installed or no namespace can be made.
#
#   fanout    one webrtcroomsink publisher, 10 webrtcroomsrc subscribers in
#             two processes (5 elements each), all decode video
#   rejoin    the publisher leaves and a new one joins: subscribers drop
#             the gone feed and decode the new one
#   bin       two webrtcroombin elements (one process each) publish and
#             each decodes the other's feed
#   no-room   a room Janus does not have: ERROR naming it, gst-launch
#             exits non-zero
#   wrong-pin a room with a pin, joined with a wrong one: ERROR about the
#             pin, gst-launch exits non-zero
#   janus.js  headless Chromium running Janus's own janus.js (Debian's
#             libjs-janus-gateway) the way the VideoRoom demo does: it
#             subscribes to a webrtcroomsink publisher and renders its
#             video; then it publishes and a webrtcroomsrc decodes it
#   wss       janus+wss:// to Janus's certificate of a private CA: with
#             ca-file or tls-insecure=true the connection is made (Janus
#             then refuses room 999), without either it fails naming the URL

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/janus-lab.sh"
janus_lab_enter "$@"

BUILD=${WEBRTC_ROOM_BUILD_ROOT:-$HERE/../../build}
PEERS=$BUILD/tests/janus/janus-peers
[ -x "$PEERS" ] || { echo "missing $PEERS"; exit 1; }
SLOW=${WEBRTC_ROOM_SLOW:+3}
SLOW=${SLOW:-1}
LOGS=$(mktemp -d /tmp/janus-test.XXXXXX)
FAILED=0
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  janus_lab_stop
  rm -rf "$LOGS"
}
trap cleanup EXIT

janus_lab_start || exit 1
echo "janus at $JANUS_URL, ICE on $JANUS_ICE_IP"

COMMON=(--url="$JANUS_URL" --local-addresses="$JANUS_ICE_IP")

fail() {
  echo "FAIL: $*"
  FAILED=1
}

show() {
  local f
  for f in "$@"; do
    echo "---- $(basename "$f")"
    tail -n 40 "$f"
  done
}

publisher() { # name duration args...
  local name=$1 duration=$2
  shift 2
  "$PEERS" --mode=sink --duration="$duration" --timeout=$((duration + 5)) \
    --width=320 --height=240 --fps=15 "${COMMON[@]}" "$@" \
    > "$LOGS/$name.log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
}

case_fanout() {
  local subs=() pid ok=1 i
  echo "== fanout: 1 publisher, 10 subscribers in 2 processes"
  publisher pub 300 --room=1234
  local pub=$LAST_PID
  for i in 1 2; do
    "$PEERS" --mode=src --count=5 --min-frames=30 --timeout=$((60 * SLOW)) \
      --room=1234 "${COMMON[@]}" > "$LOGS/subs$i.log" 2>&1 &
    subs+=($!)
  done
  for pid in "${subs[@]}"; do
    wait "$pid" || ok=0
  done
  kill "$pub" 2>/dev/null
  wait "$pub"
  if [ $ok = 1 ] && grep -q "DONE after" "$LOGS/subs1.log" \
      && grep -q "DONE after" "$LOGS/subs2.log"; then
    echo "ok: 10 subscribers decoded 30 frames each ($(grep -h 'DONE after' "$LOGS"/subs*.log | tr '\n' ' '))"
  else
    fail "fanout"
    show "$LOGS/pub.log" "$LOGS/subs1.log" "$LOGS/subs2.log"
  fi
}

# wait_lines FILE PATTERN COUNT SECONDS: until FILE has COUNT matching lines
wait_lines() {
  local i
  for i in $(seq 1 $(($4 * 10))); do
    [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.1
  done
  return 1
}

case_rejoin() {
  local sub pub1 pub2 rc1 rc left
  echo "== rejoin: publisher leaves, another one joins"
  "$PEERS" --mode=src --count=2 --min-frames=20 --expect-feeds=2 \
    --timeout=$((90 * SLOW)) --room=1234 "${COMMON[@]}" \
    > "$LOGS/rejoin-subs.log" 2>&1 &
  sub=$!
  PIDS+=($sub)
  publisher rejoin-pub1 300 --room=1234
  pub1=$LAST_PID
  # both subscribers decode the first publisher, then it leaves
  wait_lines "$LOGS/rejoin-subs.log" "^FRAMES src" 2 $((40 * SLOW))
  kill -TERM "$pub1"
  wait "$pub1"
  rc1=$?
  wait_lines "$LOGS/rejoin-subs.log" "webrtcroom-peer-left feed-" 2 $((15 * SLOW))
  publisher rejoin-pub2 300 --room=1234
  pub2=$LAST_PID
  wait "$sub"
  rc=$?
  kill "$pub2" 2>/dev/null
  wait "$pub2"
  left=$(grep -c "webrtcroom-peer-left feed-" "$LOGS/rejoin-subs.log")
  if [ $rc = 0 ] && [ $rc1 = 0 ] && [ "$left" -ge 2 ]; then
    echo "ok: both subscribers decoded publisher 1, saw it leave ($left peer-left) and decoded publisher 2"
  else
    fail "rejoin (subscribers exit $rc, publisher 1 exit $rc1, peer-left seen $left)"
    show "$LOGS/rejoin-pub1.log" "$LOGS/rejoin-pub2.log" "$LOGS/rejoin-subs.log"
  fi
}

case_bin() {
  local a b rca rcb
  echo "== bin: two webrtcroombin publish and watch each other"
  # a bin must neither send to a feed nor receive from its own publisher
  # handle: the peer roles of the join meta (data-channels came with them)
  if ! gst-inspect-1.0 webrtcroombin 2>/dev/null | grep -q "data-channels"; then
    echo "skipped: these elements do not follow peer roles yet"
    return
  fi
  "$PEERS" --mode=bin --count=1 --min-frames=20 --timeout=$((60 * SLOW)) \
    --stay=$((10 * SLOW)) --room=1234 --width=320 --height=240 --fps=15 "${COMMON[@]}" \
    > "$LOGS/bin-a.log" 2>&1 &
  a=$!
  PIDS+=($a)
  "$PEERS" --mode=bin --count=1 --min-frames=20 --timeout=$((60 * SLOW)) \
    --stay=$((10 * SLOW)) --room=1234 --width=320 --height=240 --fps=15 "${COMMON[@]}" \
    > "$LOGS/bin-b.log" 2>&1 &
  b=$!
  PIDS+=($b)
  wait "$a"
  rca=$?
  wait "$b"
  rcb=$?
  if grep -q "^DONE" "$LOGS/bin-a.log" && grep -q "^DONE" "$LOGS/bin-b.log"; then
    echo "ok: each webrtcroombin decoded the other's feed (exit $rca $rcb)"
  else
    fail "bin (exit $rca $rcb)"
    show "$LOGS/bin-a.log" "$LOGS/bin-b.log"
  fi
}

# janus_js_ready: node, playwright-core (npm ci in tests/browser), Chromium,
# janus.js and adapter.js are all there (scripts/setup-deps.sh installs them)
janus_js_ready() {
  local f
  for f in /usr/share/javascript/janus-gateway/janus.js \
      /usr/share/javascript/webrtc-adapter/adapter.js \
      "$HERE/../browser/node_modules/playwright-core/package.json" \
      "${WEBRTC_ROOM_CHROMIUM:-/usr/lib/chromium/chromium}"; do
    [ -e "$f" ] || { JANUS_JS_MISSING=$f; return 1; }
  done
  command -v node >/dev/null 2>&1 || { JANUS_JS_MISSING=node; return 1; }
}

case_janus_js() {
  local pub js rc sub rcs
  echo "== janus.js: Chromium subscribes to a webrtcroomsink, then publishes to a webrtcroomsrc"
  if ! janus_js_ready; then
    echo "skipped: $JANUS_JS_MISSING missing (scripts/setup-deps.sh installs it)"
    return
  fi
  publisher js-pub 300 --room=1234
  pub=$LAST_PID
  node "$HERE/janus-js.js" --mode=subscribe --server="ws://${JANUS_URL#janus+ws://}" \
    --room=1234 --feeds=1 --min-frames=30 --timeout=$((60 * SLOW)) \
    > "$LOGS/janus-js-sub.log" 2>&1
  rc=$?
  kill "$pub" 2>/dev/null
  wait "$pub"
  if [ $rc = 0 ] && grep -q "^DONE feeds" "$LOGS/janus-js-sub.log"; then
    echo "ok: $(grep -m1 '^DONE feeds' "$LOGS/janus-js-sub.log")"
  else
    fail "janus.js subscriber (exit $rc)"
    show "$LOGS/js-pub.log" "$LOGS/janus-js-sub.log"
  fi

  node "$HERE/janus-js.js" --mode=publish --server="ws://${JANUS_URL#janus+ws://}" \
    --room=1234 --stay=$((40 * SLOW)) --timeout=$((90 * SLOW)) \
    > "$LOGS/janus-js-pub.log" 2>&1 &
  js=$!
  PIDS+=($js)
  "$PEERS" --mode=src --count=1 --min-frames=30 --timeout=$((60 * SLOW)) \
    --room=1234 "${COMMON[@]}" > "$LOGS/js-sub.log" 2>&1
  rcs=$?
  kill "$js" 2>/dev/null
  wait "$js" 2>/dev/null
  if [ $rcs = 0 ] && grep -q "DONE after" "$LOGS/js-sub.log"; then
    echo "ok: webrtcroomsrc decoded Chromium's janus.js publication ($(grep -m1 'DONE after' "$LOGS/js-sub.log"))"
  else
    fail "janus.js publisher to webrtcroomsrc (exit $rcs)"
    show "$LOGS/janus-js-pub.log" "$LOGS/js-sub.log"
  fi
}

# a sanitizer build's plugin needs its runtimes first in gst-launch-1.0
SAN_PRELOAD=$(ldd "$BUILD/plugins/webrtcroom/libgstwebrtcroom.so" 2>/dev/null |
  awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')

# expect_error NAME PATTERN gst-launch-args...
expect_error() {
  local name=$1 pattern=$2 rc
  shift 2
  echo "== $name"
  LD_PRELOAD=$SAN_PRELOAD timeout $((20 * SLOW)) gst-launch-1.0 "$@" \
    > "$LOGS/$name.log" 2>&1
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "$pattern" "$LOGS/$name.log"; then
    echo "ok: exit $rc, $(grep -m1 -o "ERROR: from element.*" "$LOGS/$name.log")"
    grep -m1 "$pattern" "$LOGS/$name.log"
  else
    fail "$name (exit $rc)"
    show "$LOGS/$name.log"
  fi
}

case_no_room() {
  expect_error no-room "has no VideoRoom 999" \
    webrtcroomsrc server-url="$JANUS_URL" room=999 local-addresses=$JANUS_ICE_IP ! fakesink
}

case_wrong_pin() {
  expect_error wrong-pin "wrong or missing pin" \
    videotestsrc is-live=true ! webrtcroomsink server-url="$JANUS_URL" room=4321 \
    token=not-the-pin local-addresses=$JANUS_ICE_IP
}

# janus+wss:// with Janus's certificate from a private CA: the TLS handshake
# passes with ca-file (or tls-insecure) and the error is then Janus's own
# answer about room 999; without either it fails at the handshake
case_wss() {
  expect_error wss-ca-file "has no VideoRoom 999" \
    webrtcroomsrc server-url="$JANUS_WSS_URL" room=999 ca-file="$JANUS_CA" \
    local-addresses=$JANUS_ICE_IP ! fakesink
  expect_error wss-insecure "has no VideoRoom 999" \
    webrtcroomsrc server-url="$JANUS_WSS_URL" room=999 tls-insecure=true \
    local-addresses=$JANUS_ICE_IP ! fakesink
  expect_error wss-no-ca "Could not connect to Janus at $JANUS_WSS_URL" \
    webrtcroomsrc server-url="$JANUS_WSS_URL" room=999 \
    local-addresses=$JANUS_ICE_IP ! fakesink
}

# JANUS_CASES="janus_js bin" runs only those cases (by hand; the suite runs all)
for c in ${JANUS_CASES:-fanout rejoin bin janus_js no_room wrong_pin wss}; do
  "case_$c"
done

if kill -0 "$JANUS_PID" 2>/dev/null; then
  echo "janus still running: ok"
else
  fail "janus died"
  tail -n 50 "$JANUS_LAB_DIR/janus.log"
fi
exit $FAILED
