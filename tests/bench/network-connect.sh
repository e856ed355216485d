#!/usr/bin/env bash
# Connection time through each ICE path, in the network lab of the network
# suite (tests/network/lab.sh; needs root): two room-peer processes (VP8
# 320x240, no audio) join a fresh room at the same time. Per run:
#
#   first frame  the later of the two "join -> first decoded frame" times
#                (room-peer's DONE first-frame-ms, from its own welcome):
#                what a user waits for; includes negotiation, encoder start,
#                DTLS and decoding, so CPU load moves it by seconds
#   ICE          the later of the two ICE "checking -> connected" times
#                (room-peer's ICESTATE lines): the connectivity checks and
#                the nomination alone, timer-bound, hardly moved by load
#
# Median of N runs per path:
#
#   host        routed private networks, no NAT: host candidates connect
#   srflx       cone NATs, the room server's STUN responder, and the TURN
#               server the welcome announces (the lab's default): the relay
#               pair is a second valid pair, which ends libnice's regular
#               nomination early; the path stays srflx
#   srflx-stun  cone NATs, STUN only (no TURN in the welcome): libnice
#               nominates only once the unreachable host pair has failed
#   relay       cone NATs, ice-transport-policy=relay through coturn
#
# usage: tests/bench/network-connect.sh [-n 10] [BUILD_DIR] [-- room-peer args]
#   (default ./build; room-peer args go to every peer, e.g.
#    -- --ice-agent-prop=stun-max-retransmissions=1; PATHS="srflx-stun relay"
#    measures only those paths)
set -uo pipefail
N=10
if [ "${1:-}" = -n ]; then
  N=$2
  shift 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_ARG=$ROOT/build
if [ $# -gt 0 ] && [ "$1" != -- ]; then
  BUILD_ARG=$1
  shift
fi
[ "${1:-}" = -- ] && shift
EXTRA=("$@")
BUILD=$(cd "$BUILD_ARG" && pwd)
export WEBRTC_ROOM_SERVER="$BUILD/signaling/webrtc-room-server"
export WEBRTC_ROOM_BUILD_ROOT="$BUILD"
export GST_PLUGIN_PATH_1_0="$BUILD/plugins/webrtcroom"
# shellcheck source=../network/lab.sh
. "$ROOT/tests/network/lab.sh"
lab_require turnserver

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# summary VALUES...: "median M ms (min-max)"
summary() {
  [ $# -gt 0 ] || { echo "no data"; return; }
  echo "median $(printf '%s\n' "$@" | median) ms ($(printf '%s\n' "$@" | sort -n | head -1)-$(printf '%s\n' "$@" | sort -n | tail -1))"
}

# ice_ms FILE: ICE checking -> connected of the first peer connection, ms
ice_ms() {
  awk '/^ICESTATE .* checking /    { split($4, t, "="); if (!c) c = t[2] }
       /^ICESTATE .* (connected|completed) / { split($4, t, "="); if (!d) d = t[2] }
       END { if (c && d) print int((d - c) / 1000) }' "$1"
}

measure() {
  local path=$1 nat=$2
  shift 2
  local frames=() ices=() i a b ia ib
  lab_up "$nat" "$nat"
  for ((i = 1; i <= N; i++)); do
    lab_peer a "$LAB_DIR/a$i" --room "$path$i" --name a --no-audio \
      --min-frames 1 --timeout 20 --stay 2 "$@" "${EXTRA[@]}"
    local pa=$LAB_PEER_PID
    lab_peer b "$LAB_DIR/b$i" --room "$path$i" --name b --no-audio \
      --min-frames 1 --timeout 20 --stay 2 "$@" "${EXTRA[@]}"
    lab_wait_pids 30 "$pa" "$LAB_PEER_PID"
    a=$(sed -n 's/^DONE first-frame-ms=\([0-9]*\).*/\1/p' "$LAB_DIR/a$i")
    b=$(sed -n 's/^DONE first-frame-ms=\([0-9]*\).*/\1/p' "$LAB_DIR/b$i")
    ia=$(ice_ms "$LAB_DIR/a$i")
    ib=$(ice_ms "$LAB_DIR/b$i")
    if [ -z "$a" ] || [ -z "$b" ] || [ -z "$ia" ] || [ -z "$ib" ]; then
      echo "  run $i: FAILED ($(grep -h '^PATH\|^ERROR\|^TIMEOUT' "$LAB_DIR/a$i" "$LAB_DIR/b$i" | tr '\n' ' '))"
      continue
    fi
    frames+=($((a > b ? a : b)))
    ices+=($((ia > ib ? ia : ib)))
    echo "  run $i: first frame ${frames[-1]} ms, ICE ${ices[-1]} ms, $(grep -m1 '^PATH' "$LAB_DIR/a$i" | cut -d' ' -f3-)"
  done
  lab_down
  LAB_PIDS=()
  echo "RESULT $path: join -> first decoded frame $(summary "${frames[@]}"); ICE checking -> connected $(summary "${ices[@]}"); n=${#frames[@]}/$N"
}

for path in ${PATHS:-host srflx srflx-stun relay}; do
  case $path in
    host) measure host none ;;
    srflx) measure srflx cone ;;
    srflx-stun) LAB_WELCOME_TURN=0 measure srflx-stun cone ;;
    relay) measure relay cone --prop "turn-servers=$LAB_TURN" \
      --prop ice-transport-policy=relay ;;
    *) echo "unknown path $path" >&2; exit 2 ;;
  esac
done
