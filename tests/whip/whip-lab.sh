# What the whip suites share: sourced by test-whip.sh and
# test-whip-server.sh, with WHIP_LAB_NAME set (the logs' directory name).
# Skips (77) without aiortc or without the rights for `unshare -n`;
# otherwise re-runs the script in a network namespace of its own holding
# only lo, which also gets 127.0.0.2 (aioice never gathers on 127.0.0.1,
# and 127.0.0.2 is still loopback).
#
# Sets HERE, PY, BUILD, SLOW (3 with WEBRTC_ROOM_SLOW, else 1), LOGS,
# FAILED, PIDS (killed and reaped on exit, with LOGS removed) and
# SAN_PRELOAD (a sanitizer build's runtimes, to preload in gst-launch-1.0),
# and defines fail, show and wait_line.

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
LOGS=$(mktemp -d "/tmp/$WHIP_LAB_NAME.XXXXXX")
FAILED=0
PIDS=()
MAIN_PID=$BASHPID
whip_lab_cleanup() {
  local pid
  # only the test's own shell cleans up (a subshell may run the EXIT trap)
  [ "$BASHPID" = "$MAIN_PID" ] || return
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$LOGS"
}
trap whip_lab_cleanup EXIT

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
