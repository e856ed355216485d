#!/usr/bin/env bash
# Video through a lossy link, NACK/RTX on against the same run's NACK-off
# baseline, in the network lab of the network suite (tests/network/lab.sh,
# lab_loss_run; needs root and the impair program of a build with
# libnetfilter-queue-dev): 5 % loss + 100 ms delay each way on peer a's link,
# a sends VP8 640x480 at 30 fps, b receives (latency 400) until it decoded
# FRAMES frames (default 660, ~22 s). Per run and mode:
#
#   fps       b's decoded, not corrupted frames per whole second after a 2 s
#             start-up (mean, min): what a viewer sees; moved by the CPU
#             load of the machine as much as by the network
#   packets   b's jitterbuffers: lost for good / of all, RTX requests and
#             repaired packets: the network and NACK alone, hardly moved by
#             the load
#
# The network suite's `loss` test asserts only what the load cannot move (RTX
# requested and repairing, video flowing); these are the numbers.
#
# usage: tests/bench/network-loss.sh [-n RUNS] [-f FRAMES | -s SECONDS] [BUILD_DIR]
#   (default 1 run, 660 frames, ./build; -s: b receives SECONDS from its first
#   frame instead, for a machine too loaded to decode FRAMES in time; modes
#   alternate: off, on, off, on...)
set -uo pipefail
N=1
FRAMES=660
while [ $# -gt 0 ]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    -f) FRAMES=$2; shift 2 ;;
    -s) FRAMES=0; export LOSS_SECONDS=$2; shift 2 ;;
    *) break ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
export WEBRTC_ROOM_SERVER="$BUILD/signaling/webrtc-room-server"
export WEBRTC_ROOM_BUILD_ROOT="$BUILD"
export GST_PLUGIN_PATH_1_0="$BUILD/plugins/webrtcroom"
IMPAIR="$BUILD/tests/network/impair"
[ -x "$IMPAIR" ] || { echo "no $IMPAIR: build with libnetfilter-queue-dev installed" >&2; exit 2; }
# shellcheck source=../network/lab.sh
. "$ROOT/tests/network/lab.sh"
lab_require

declare -A MEANS MINS
for ((i = 1; i <= N; i++)); do
  for nack in false true; do
    mode=$([ $nack = true ] && echo on || echo off)
    lab_loss_run "$nack" "$FRAMES"
    rc=$?
    total=$((${JB_PUSHED:-0} + ${JB_LOST:-0}))
    [ $rc = 0 ] || echo "run $i NACK $mode: FAILED: $LOSS_ERROR; what it measured:"
    if [ -n "$LOSS_MEAN" ]; then
      echo "run $i NACK $mode: mean $LOSS_MEAN fps, min $LOSS_MIN, longest gap ${LOSS_MAXGAP:-?} ms, longest run of seconds without a frame $LOSS_ZERORUN;" \
        "$JB_LOST of $total RTP packets lost ($(awk -v l="$JB_LOST" -v t="$total" 'BEGIN { printf "%.1f", t ? 100 * l / t : 0 }') %)," \
        "$JB_REQUESTS RTX requests, $JB_REPAIRED repaired; impair dropped $LOSS_DROPPED of $LOSS_SEEN; path $LOSS_PATH"
      echo "  FPS $LOSS_FPS"
      if [ $rc = 0 ]; then
        MEANS[$nack]="${MEANS[$nack]:-} $LOSS_MEAN"
        MINS[$nack]="${MINS[$nack]:-} $LOSS_MIN"
      fi
    fi
    rm -f "$LOSS_OUT_A"* "$LOSS_OUT_B"*
  done
done
# load average while it ran: the fps figures depend on it
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for nack in true false; do
  m=${MEANS[$nack]:-}
  [ -n "$m" ] || { echo "RESULT NACK/RTX $([ $nack = true ] && echo on || echo off): no successful run"; continue; }
  echo "RESULT 5% loss + 100 ms delay, VP8 640x480@30, NACK/RTX $([ $nack = true ] && echo on || echo off): mean fps$m (runs); min fps${MINS[$nack]}"
done
