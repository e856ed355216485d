#!/bin/bash
# Fan-out: one webrtcroomsink sender (VP8 640x480@30, no audio) to N
# webrtcroomsrc receivers (decode=false, to spare the 2 cores); the sender's
# CPU (utime+stime of /proc/PID/stat) over WINDOW s once every receiver gets
# video; prints CPU(N)/CPU(1). Same-run baseline: one plain vp8enc pipeline
# with the element's encoder settings (videotestsrc ! vp8enc ! fakesink,
# measured), and computed "per-receiver encoder" references: N x CPU(1)
# and CPU(1) + (N-1) x CPU(plain encoder). Runs in `unshare -rn`.
# usage: tests/bench/elements-fanout.sh [N...] (default 1 5 10)
# env: BUILD (default build-bench), WINDOW (seconds, default 10)
set -u
. "$(dirname "$0")/elements-common.sh"
elements_enter_netns "$@"
NS=${*:-1 5 10}
WINDOW=${WINDOW:-10}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/elements-fanout.XXXXXX)
start_server "$WORK/server.out"
trap 'stop_server' EXIT
echo "elements-fanout: server $URL, window $WINDOW s, work dir $WORK, load: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure PID's CPU over WINDOW seconds, prints percent of one core
measure () {
  local pid=$1 a b
  a=$(cpu_ticks "$pid"); sleep "$WINDOW"; b=$(cpu_ticks "$pid")
  awk -v d=$((b - a)) -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.1f", 100 * d / hz / w }'
}

# Baseline: the encoder alone, same settings as the element's VP8 branch
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

declare -A CPU RCPU
for n in $NS; do
  room="fanout-$n-$$"
  "$ROOM_PEER" --url "$URL" --room "$room" --name sender --mode sink \
    --no-audio --width 640 --height 480 --timeout 600 --stay 600 \
    > "$WORK/sender-$n.out" 2>&1 &
  SENDER=$!
  rpids=()
  for k in $(seq "$n"); do
    "$ROOM_PEER" --url "$URL" --room "$room" --name "r$k" --mode src \
      --no-audio --no-decode --expect-peers 1 --min-frames 30 \
      --timeout 600 --stay 600 > "$WORK/recv-$n-$k.out" 2>&1 &
    rpids+=($!)
  done
  t0=$(now_ms)
  while :; do
    got=$(cat "$WORK"/recv-$n-*.out | grep -c '^DONE')
    [ "$got" -ge "$n" ] && break
    if [ $(( $(now_ms) - t0 )) -gt 60000 ]; then
      echo "N=$n: only $got/$n receivers got video in 60 s"; break
    fi
    sleep 0.1
  done
  sleep 2
  r0=0; for p in "${rpids[@]}"; do r0=$((r0 + $(cpu_ticks $p))); done
  CPU[$n]=$(measure $SENDER)
  r1=0; for p in "${rpids[@]}"; do r1=$((r1 + $(cpu_ticks $p))); done
  RCPU[$n]=$(awk -v d=$((r1 - r0)) -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.1f", 100 * d / hz / w }')
  all=$(cat "$WORK"/recv-$n-*.out | grep -c '^DONE')
  echo "N=$n: sender ${CPU[$n]}% of a core, $all/$n receivers got >= 30 frames; receivers together ${RCPU[$n]}%; load $(cut -d' ' -f1 /proc/loadavg)"
  kill -TERM $SENDER "${rpids[@]}" 2>/dev/null
  wait $SENDER "${rpids[@]}" 2>/dev/null
done

first=${NS%% *}
for n in $NS; do
  awk -v n="$n" -v c="${CPU[$n]}" -v c1="${CPU[$first]}" -v e="$ENC_CPU" -v f="$first" 'BEGIN {
    printf "RESULT fanout N=%d: sender CPU %.1f%%, CPU(N)/CPU(%d) = %.2f | computed per-receiver-encoder references: N x CPU(%d) = %.1f%% (ratio %d), CPU(%d) + (N-%d) x plain encoder %.1f%% = %.1f%% (ratio %.2f)\n",
      n, c, f, (c1 > 0 ? c / c1 : 0), f, n * c1 / f, n / f, f, f, e, c1 + (n - f) * e, (c1 > 0 ? (c1 + (n - f) * e) / c1 : 0) }'
done
