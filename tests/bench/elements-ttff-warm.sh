#!/bin/bash
# Time to first frame with both processes already in the room: a receiver
# (room-peer --mode src) and a sender (room-peer --mode sink) have joined and
# set up their sessions; the sender's video is held by a valve and let
# through --start-after ms after its join ("one starts sending"). Measured
# from the sender opening the valve to the receiver's first decoded frame
# (both CLOCK_MONOTONIC, same machine). Same-run baseline: the plain
# webrtcbin pair with webrtcbin defaults (elements-ttff --skip-room).
# usage: tests/bench/elements-ttff-warm.sh [N] (default 10)
# env: BUILD (default build-bench); START_AFTER (ms, default 3000: long
# enough for the sender's DTLS key generation even on a loaded machine,
# where 2000 sometimes was not, and the run then measured the key
# generation; the sender stays 10 s, so its connection has 7 s)
set -u
. "$(dirname "$0")/elements-common.sh"
elements_enter_netns "$@"
N=${1:-10}
START_AFTER=${START_AFTER:-3000}
WORK=$(mktemp -d /tmp/elements-ttff-warm.XXXXXX)
start_server "$WORK/server.out"
trap 'stop_server' EXIT
echo "elements-ttff-warm: server $URL, work dir $WORK, load: $(cut -d' ' -f1-3 /proc/loadavg)"

"$BUILD/tests/bench/elements-ttff" --skip-room -n "$N" | grep RESULT

values=()
for i in $(seq 1 "$N"); do
  room="warm$i"
  "$ROOM_PEER" --url "$URL" --room "$room" --name viewer --mode src \
    --no-audio --min-frames 1 --timeout 20 > "$WORK/recv$i.out" 2>&1 &
  recv=$!
  sleep 0.5
  "$ROOM_PEER" --url "$URL" --room "$room" --name sender --mode sink \
    --no-audio --start-after "$START_AFTER" --expect-peers 0 --stay 10 --timeout 30 \
    > "$WORK/send$i.out" 2>&1 &
  send=$!
  wait "$recv"
  kill "$send" 2>/dev/null; wait "$send" 2>/dev/null
  t0=$(sed -n 's/^SENDING at-us=\([0-9]*\).*/\1/p' "$WORK/send$i.out" | head -1)
  t1=$(sed -n 's/^FRAME video .* at-us=\([0-9]*\).*/\1/p' "$WORK/recv$i.out" | head -1)
  if [ -z "$t0" ] || [ -z "$t1" ]; then
    echo "run $i: no measure (see $WORK/*$i.out)"; continue
  fi
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  echo "run $i: $ms ms"
  values+=("$ms")
done
printf '%s\n' "${values[@]}" | sort -n | awk '
  { v[NR] = $1 } END {
    if (NR == 0) { print "RESULT room (warm): no runs"; exit 1 }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "RESULT room, both in the room, sender starts sending -> first decoded frame at the receiver: median %.1f ms, min %.1f, max %.1f (n=%d)\n", m, v[1], v[NR], NR }'
