#!/bin/bash
# Broadcast: one webrtcroomsink (VP8 640x480@30, no audio) and N
# webrtcroomsrc viewers (decode=false), packed PER viewers per room-peer
# process (--viewers). Viewers announce that they send nothing, so they
# never connect to each other: N viewers make N peer connections, not
# N(N+1)/2. Prints every viewer's fps (mean after its first 2 s, until the
# end of the measurement), the sender's CPU over WINDOW s once every viewer
# gets video, the frame rate the sender's encoder got through (video frames
# into the element over its whole run: a starved encoder backs the live
# source up, and every viewer then gets that rate), the number of peer
# connections the viewers made, and the load average (the machine is
# shared). Same-run baseline: N=1.
# usage: tests/bench/elements-broadcast.sh [N...] (default 10 25 50)
# env: BUILD (default build-bench), WINDOW (s, default 10), PER (viewers per
#      process, default 5), STAGGER (s between viewer processes, default 1)
set -u
. "$(dirname "$0")/elements-common.sh"
elements_enter_netns "$@"
NS=${*:-10 25 50}
WINDOW=${WINDOW:-10}
PER=${PER:-5}
STAGGER=${STAGGER:-1}
HZ=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/elements-broadcast.XXXXXX)
start_server "$WORK/server.out"
trap 'stop_server' EXIT
echo "elements-broadcast: server $URL, window $WINDOW s, $PER viewers per process, work dir $WORK, load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

cpu_percent () {
  awk -v d="$1" -v hz="$HZ" -v w="$WINDOW" 'BEGIN { printf "%.1f", 100 * d / hz / w }'
}

for n in 1 $NS; do
  room="broadcast-$n-$$"
  "$ROOM_PEER" --url "$URL" --room "$room" --name sender --mode sink \
    --no-audio --width 640 --height 480 --timeout 900 --stay 900 \
    > "$WORK/sender-$n.out" 2>&1 &
  SENDER=$!
  vpids=()
  left=$n; k=0
  while [ "$left" -gt 0 ]; do
    per=$(( left < PER ? left : PER ))
    k=$((k + 1))
    "$ROOM_PEER" --url "$URL" --room "$room" --name "v$k" --mode src \
      --no-audio --no-decode --viewers "$per" --expect-peers 1 \
      --min-frames 30 --timeout 900 --stay 900 \
      > "$WORK/viewers-$n-$k.out" 2>&1 &
    vpids+=($!)
    left=$((left - per))
    # all viewer processes at once on a loaded 2-core machine: their
    # WebSocket connects timed out (5 s) in a first run
    sleep "$STAGGER"
  done
  procs=${#vpids[@]}
  t0=$(now_ms)
  while :; do
    got=$(cat "$WORK"/viewers-$n-*.out | grep -c '^DONE')
    [ "$got" -ge "$procs" ] && break
    if [ $(( $(now_ms) - t0 )) -gt 180000 ]; then
      echo "N=$n: only $got/$procs viewer processes had video on every viewer after 180 s"; break
    fi
    sleep 0.2
  done
  ready_s=$(( ($(now_ms) - t0) / 1000 ))
  sleep 2
  a=$(cpu_ticks $SENDER)
  sleep "$WINDOW"
  b=$(cpu_ticks $SENDER)
  load=$(cut -d' ' -f1 /proc/loadavg)
  kill -TERM "${vpids[@]}" 2>/dev/null
  wait "${vpids[@]}" 2>/dev/null
  kill -TERM $SENDER 2>/dev/null
  wait $SENDER 2>/dev/null
  cpu=$(cpu_percent $((b - a)))
  conns=$(cat "$WORK"/viewers-$n-*.out | grep -c '^MESSAGE webrtcroom-peer-connected')
  sconns=$(grep -c '^MESSAGE webrtcroom-peer-connected' "$WORK/sender-$n.out")
  sent=$(sed -n "s/^SENT video fps=\([0-9.]*\).*/\1/p" "$WORK/sender-$n.out")
  fps=$(cat "$WORK"/viewers-$n-*.out | sed -n 's/^VIEWER \([^ ]*\) fps=\([0-9.]*\).*/\2/p')

  echo "N=$n: viewers ready after ${ready_s} s; viewer fps:" $fps
  echo "$fps" | awk -v n="$n" -v cpu="$cpu" -v load="$load" -v conns="$conns" -v sconns="$sconns" -v sent="${sent:--}" '
    NF { c++; s += $1; if (min == "" || $1 < min) min = $1; if ($1 >= 25) ok++ }
    END { printf "RESULT broadcast N=%d: sender CPU %s%% of a core (%.2f%% per viewer), sender input %s fps, viewers with fps >= 25: %d/%d, fps min %s mean %.1f; peer connections: viewers %d, sender %d; load %s\n",
      n, cpu, (n > 0 ? cpu / n : 0), sent, ok, c, (min == "" ? "-" : min), (c ? s / c : 0), conns, sconns, load }'
done
