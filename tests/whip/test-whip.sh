#!/bin/bash
# The whip suite: webrtcroomsink publishing to a WHIP endpoint made of
# aiortc (tests/whip/whip-endpoint.py), inside a network namespace of the
# test's own holding only lo. aioice never gathers on 127.0.0.1 itself, so
# lo also gets 127.0.0.2 (still loopback). Skips (77) without aiortc or
# without the rights for `unshare -n`.
#
#   publish    POST offer -> 201 + Location + answer, candidates by PATCH,
#              aiortc decodes 30 frames, stopping the pipeline DELETEs
#              and gst-launch exits 0
#   bad-token  401: element ERROR about the token, gst-launch exits non-zero
#   no-endpoint 404: element ERROR naming the URL, gst-launch exits non-zero
#   play       webrtcroomsrc server-url=whep+http://... (our WHEP client)
#              plays aiortc's video (whip-endpoint.py --whep): 30 frames
#              decoded, stopping DELETEs the resource

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
$PY -c "import aiortc" 2>/dev/null || { echo "SKIP: no python3-aiortc"; exit 77; }
if [ -z "${WHIP_TEST_NETNS:-}" ]; then
  unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
  WHIP_TEST_NETNS=1 exec unshare -n "$BASH" "$0" "$@"
fi
ip link set lo up
ip addr add 127.0.0.2/8 dev lo 2>/dev/null

BUILD=${WEBRTC_ROOM_BUILD_ROOT:-$HERE/../../build}
SLOW=${WEBRTC_ROOM_SLOW:+3}
SLOW=${SLOW:-1}
LOGS=$(mktemp -d /tmp/whip-test.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
URL="whip+http://127.0.0.1:$PORT/whip/test"
FAILED=0
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$LOGS"
}
trap cleanup EXIT

# a sanitizer build's plugin needs its runtimes first in gst-launch-1.0
SAN_PRELOAD=$(ldd "$BUILD/plugins/webrtcroom/libgstwebrtcroom.so" 2>/dev/null |
  awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')

fail() { echo "FAIL: $*"; FAILED=1; }
show() { local f; for f in "$@"; do echo "---- $(basename "$f")"; tail -n 40 "$f"; done; }
wait_line() { # FILE PATTERN SECONDS
  local i
  for i in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

$PY "$HERE/whip-endpoint.py" --port "$PORT" --token secret --min-frames 30 \
  --timeout $((90 * SLOW)) > "$LOGS/endpoint.log" 2>&1 &
EP=$!
PIDS+=($EP)
wait_line "$LOGS/endpoint.log" "^READY" 20 || { show "$LOGS/endpoint.log"; exit 1; }

publish() { # token url log: gst-launch-1.0 in place of the shell
  LD_PRELOAD=$SAN_PRELOAD exec gst-launch-1.0 videotestsrc is-live=true ! \
    video/x-raw,width=320,height=240,framerate=15/1 ! \
    webrtcroomsink server-url="$2" token="$1" local-addresses=127.0.0.1 \
    ice-tcp=false > "$3" 2>&1
}

echo "== bad-token"
timeout $((20 * SLOW)) bash -c "$(declare -f publish); SAN_PRELOAD='$SAN_PRELOAD' publish wrong '$URL' '$LOGS/bad-token.log'"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "refused our token" "$LOGS/bad-token.log"; then
  echo "ok: exit $rc, $(grep -m1 -o "ERROR: from element.*" "$LOGS/bad-token.log")"
  grep -m1 "refused our token" "$LOGS/bad-token.log"
else
  fail "bad-token (exit $rc)"; show "$LOGS/bad-token.log"
fi

echo "== no-endpoint"
timeout $((20 * SLOW)) bash -c "$(declare -f publish); SAN_PRELOAD='$SAN_PRELOAD' publish secret 'whip+http://127.0.0.1:$PORT/nothing' '$LOGS/no-endpoint.log'"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "There is no WHIP endpoint" "$LOGS/no-endpoint.log"; then
  echo "ok: exit $rc, $(grep -m1 "There is no WHIP endpoint" "$LOGS/no-endpoint.log")"
else
  fail "no-endpoint (exit $rc)"; show "$LOGS/no-endpoint.log"
fi

echo "== publish"
(publish secret "$URL" "$LOGS/publish.log") &
GL=$!
PIDS+=($GL)
if wait_line "$LOGS/endpoint.log" "^FRAMES" $((60 * SLOW)); then
  kill -INT "$GL"
  ( sleep $((20 * SLOW)); kill -9 "$GL" 2>/dev/null ) &
  WD=$!
  wait "$GL"
  glrc=$?
  kill "$WD" 2>/dev/null
  wait "$EP"
  eprc=$?
  # exit 0: no data channel towards a WHIP endpoint (its SCTP failed
  # when the endpoint closed first, and sctpenc posted an ERROR at stop)
  if [ $eprc = 0 ] && [ $glrc = 0 ] && grep -q "^DELETED" "$LOGS/endpoint.log"; then
    echo "ok: aiortc decoded 30 frames, the pipeline's stop DELETEd the resource (gst-launch exit $glrc): $(grep '^DELETED' "$LOGS/endpoint.log")"
  else
    fail "publish: no DELETE or not a clean stop (endpoint exit $eprc, gst-launch exit $glrc)"; show "$LOGS/endpoint.log" "$LOGS/publish.log"
  fi
else
  fail "publish: aiortc got no 30 frames"; show "$LOGS/endpoint.log" "$LOGS/publish.log"
fi

echo "== play"
WPORT=$((PORT + 1))
$PY "$HERE/whip-endpoint.py" --whep --path /whep/test --port "$WPORT" --token secret \
  --timeout $((90 * SLOW)) > "$LOGS/whep-endpoint.log" 2>&1 &
WEP=$!
PIDS+=($WEP)
wait_line "$LOGS/whep-endpoint.log" "^READY" 20 || { show "$LOGS/whep-endpoint.log"; exit 1; }
LD_PRELOAD=$SAN_PRELOAD "$BUILD/tests/elements/room-peer" --mode src \
  --url "whep+http://127.0.0.1:$WPORT/whep/test" --room test --no-audio \
  --local-addresses 127.0.0.1 --prop token=secret --min-frames 30 \
  --stay $((60 * SLOW)) --timeout $((60 * SLOW)) > "$LOGS/play.log" 2>&1 &
PL=$!
PIDS+=($PL)
if wait_line "$LOGS/play.log" "^DONE" $((60 * SLOW)); then
  kill -INT "$PL"
  wait "$PL"
  plrc=$?
  if wait_line "$LOGS/whep-endpoint.log" "^DELETED" $((20 * SLOW)); then
    echo "ok: webrtcroomsrc played 30 frames from the aiortc WHEP endpoint, stop DELETEd it (exit $plrc): $(grep -m1 '^DONE' "$LOGS/play.log")"
  else
    fail "play: no DELETE"; show "$LOGS/whep-endpoint.log" "$LOGS/play.log"
  fi
else
  fail "play: no 30 frames from WHEP"; show "$LOGS/whep-endpoint.log" "$LOGS/play.log"
fi
exit $FAILED
