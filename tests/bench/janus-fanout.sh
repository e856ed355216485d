#!/bin/bash
# Fan-out through Janus next to our mesh: one webrtcroomsink sender (VP8
# 640x480@30, no audio, the element's encoder settings) and N webrtcroomsrc
# receivers (decode=false), once through a Janus 1.1.2 VideoRoom (the
# sender publishes once, Janus forwards to N subscribers) and once through
# our room server (the sender sends to each receiver itself). Prints the
# sender's CPU (utime+stime of /proc/PID/stat over WINDOW s, once every
# receiver got 30 frames), and Janus's own CPU, as % of one core. Same-run
# baseline: the encoder alone (videotestsrc ! vp8enc ! fakesink).
# Runs in a network namespace of its own (root: `unshare -n`, a veth pair
# for Janus's ICE, see tests/janus/janus-lab.sh).
# usage: tests/bench/janus-fanout.sh [N...] (default 1 10)
# env: BUILD (default build-bench), WINDOW (seconds, default 10)
set -u
. "$(dirname "$0")/elements-common.sh"
. "$SRC_ROOT/tests/janus/janus-lab.sh"
janus_lab_enter "$@"
NS=${*:-1 10}
WINDOW=${WINDOW:-10}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/janus-fanout.XXXXXX)
start_server "$WORK/server.out"
janus_lab_start || exit 1
trap 'stop_server; janus_lab_stop' EXIT
MESH_URL=$URL
echo "janus-fanout: janus $JANUS_URL, room server $MESH_URL, window $WINDOW s, work dir $WORK, load: $(cut -d' ' -f1-3 /proc/loadavg)"

measure () { # PID...: CPU of the PIDs together over WINDOW s, % of a core
  local a=0 b=0 p
  for p in "$@"; do a=$((a + $(cpu_ticks "$p"))); done
  sleep "$WINDOW"
  for p in "$@"; do b=$((b + $(cpu_ticks "$p"))); done
  awk -v d=$((b - a)) -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.1f", 100 * d / hz / w }'
}

gst-launch-1.0 -q videotestsrc is-live=true pattern=ball ! \
  video/x-raw,width=640,height=480,framerate=30/1 ! \
  vp8enc deadline=1 lag-in-frames=0 cpu-used=8 threads=2 end-usage=cbr \
    keyframe-max-dist=60 error-resilient=default target-bitrate=1000000 ! \
  fakesink > /dev/null 2>&1 &
ENC_PID=$!
sleep 2
ENC_CPU=$(measure $ENC_PID)
kill $ENC_PID; wait $ENC_PID 2>/dev/null
echo "baseline: videotestsrc ! vp8enc 640x480@30 ! fakesink alone: ${ENC_CPU}% of a core"

declare -A CPU JCPU GOT
run () { # via N
  local via=$1 n=$2 url room addr sender k got t0 rpids=()
  if [ "$via" = janus ]; then
    url=$JANUS_URL room=1234 addr=$JANUS_ICE_IP
  else
    url=$MESH_URL room="fanout-$n-$$" addr=127.0.0.1
  fi
  "$ROOM_PEER" --url "$url" --room "$room" --name sender --mode sink \
    --no-audio --width 640 --height 480 --timeout 600 --stay 600 \
    --local-addresses "$addr" > "$WORK/$via-sender-$n.out" 2>&1 &
  sender=$!
  for k in $(seq "$n"); do
    "$ROOM_PEER" --url "$url" --room "$room" --name "r$k" --mode src \
      --no-audio --no-decode --expect-peers 1 --min-frames 30 \
      --local-addresses "$addr" --timeout 600 --stay 600 \
      > "$WORK/$via-recv-$n-$k.out" 2>&1 &
    rpids+=($!)
  done
  t0=$(now_ms)
  while :; do
    got=$(cat "$WORK"/$via-recv-$n-*.out | grep -c '^DONE')
    [ "$got" -ge "$n" ] && break
    if [ $(( $(now_ms) - t0 )) -gt 90000 ]; then
      echo "$via N=$n: only $got/$n receivers got video in 90 s"; break
    fi
    sleep 0.1
  done
  sleep 2
  if ! kill -0 $sender 2>/dev/null; then
    echo "$via N=$n: the sender exited: $(tail -n 2 "$WORK/$via-sender-$n.out" | tr '\n' ' ')"
    CPU[$via-$n]=- GOT[$via-$n]=0
    kill -TERM "${rpids[@]}" 2>/dev/null
    wait "${rpids[@]}" 2>/dev/null
    return
  fi
  if [ "$via" = janus ]; then
    # sender and Janus over the same window
    local a b ja jb
    a=$(cpu_ticks $sender); ja=$(cpu_ticks $JANUS_PID)
    sleep "$WINDOW"
    b=$(cpu_ticks $sender); jb=$(cpu_ticks $JANUS_PID)
    CPU[$via-$n]=$(awk -v d=$((b - a)) -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.1f", 100 * d / hz / w }')
    JCPU[$n]=$(awk -v d=$((jb - ja)) -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.1f", 100 * d / hz / w }')
  else
    CPU[$via-$n]=$(measure $sender)
  fi
  GOT[$via-$n]=$(cat "$WORK"/$via-recv-$n-*.out | grep -c '^DONE')
  local extra=
  [ "$via" = janus ] && extra=", janus ${JCPU[$n]}%"
  echo "$via N=$n: sender ${CPU[$via-$n]}% of a core$extra, ${GOT[$via-$n]}/$n receivers got >= 30 frames, load $(cut -d' ' -f1 /proc/loadavg)"
  kill -TERM $sender "${rpids[@]}" 2>/dev/null
  wait $sender "${rpids[@]}" 2>/dev/null
  sleep 1
}

for n in $NS; do
  run janus "$n"
  run mesh "$n"
done
for n in $NS; do
  echo "RESULT janus-fanout N=$n: sender CPU via Janus ${CPU[janus-$n]}% (janus ${JCPU[$n]}%, ${GOT[janus-$n]}/$n receivers) | via mesh ${CPU[mesh-$n]}% (${GOT[mesh-$n]}/$n receivers) | encoder alone ${ENC_CPU}%"
done
