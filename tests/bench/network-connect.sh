#!/usr/bin/env bash
# Connection time through each ICE path, in the network lab of the network
# suite (tests/network/lab.sh; needs root): two room-peer processes (VP8
# 320x240, no audio) join a fresh room at the same time; per run, the later of
# the two "join -> first decoded frame" times (room-peer's DONE
# first-frame-ms, measured from its own welcome). Median of N runs per path:
#
#   host   routed private networks, no NAT: host candidates connect
#   srflx  cone NATs, the room server's STUN responder
#   relay  cone NATs, ice-transport-policy=relay through coturn
#
# usage: tests/bench/network-connect.sh [-n 10] [BUILD_DIR]   (default ./build)
set -uo pipefail
N=10
if [ "${1:-}" = -n ]; then
  N=$2
  shift 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
export WEBRTC_ROOM_SERVER="$BUILD/signaling/webrtc-room-server"
export WEBRTC_ROOM_BUILD_ROOT="$BUILD"
export GST_PLUGIN_PATH_1_0="$BUILD/plugins/webrtcroom"
# shellcheck source=../network/lab.sh
. "$ROOT/tests/network/lab.sh"
lab_require turnserver

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {
  local path=$1 nat=$2
  shift 2
  local times=() i a b
  lab_up "$nat" "$nat"
  for ((i = 1; i <= N; i++)); do
    lab_peer a "$LAB_DIR/a$i" --room "$path$i" --name a --no-audio \
      --min-frames 1 --timeout 20 --stay 2 "$@"
    local pa=$LAB_PEER_PID
    lab_peer b "$LAB_DIR/b$i" --room "$path$i" --name b --no-audio \
      --min-frames 1 --timeout 20 --stay 2 "$@"
    lab_wait_pids 30 "$pa" "$LAB_PEER_PID"
    a=$(sed -n 's/^DONE first-frame-ms=\([0-9]*\).*/\1/p' "$LAB_DIR/a$i")
    b=$(sed -n 's/^DONE first-frame-ms=\([0-9]*\).*/\1/p' "$LAB_DIR/b$i")
    if [ -z "$a" ] || [ -z "$b" ]; then
      echo "  run $i: FAILED ($(grep -h '^PATH\|^ERROR\|^TIMEOUT' "$LAB_DIR/a$i" "$LAB_DIR/b$i" | tr '\n' ' '))"
      continue
    fi
    times+=($((a > b ? a : b)))
    echo "  run $i: ${times[-1]} ms"
  done
  lab_down
  LAB_PIDS=()
  echo "RESULT $path: join -> first decoded frame, median $(printf '%s\n' "${times[@]}" | median) ms, min $(printf '%s\n' "${times[@]}" | sort -n | head -1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -1) (n=${#times[@]})"
}

measure host none
measure srflx cone
measure relay cone --prop "turn-servers=$LAB_TURN" --prop ice-transport-policy=relay
