#!/bin/bash
# 4-process audio+video mesh: 4 x `room-peer --mode bin --expect-peers 3`
# (VP8 320x240 + Opus each), fresh room per run, started at once and
# staggered; pass = all 4 processes decode video and audio from the 3 others
# (12 links, 10 frames each) and exit 0. Runs in `unshare -rn`.
# usage: tests/bench/elements-mesh.sh [RUNS=20] [STAGGER_MS=300]
# env: BUILD (default build-bench), KEEP (dir for failing runs' logs),
#      MESH_DEBUG (GST_DEBUG for the peers, default webrtcroom:5)
set -u
. "$(dirname "$0")/elements-common.sh"
elements_enter_netns "$@"
RUNS=${1:-20}
STAGGER=${2:-300}
WORK=$(mktemp -d /tmp/elements-mesh.XXXXXX)
KEEP=${KEEP:-$WORK/failed}
mkdir -p "$KEEP"
start_server "$WORK/server.out"
trap 'stop_server' EXIT
echo "elements-mesh: server $URL, $RUNS runs per mode, stagger $STAGGER ms, logs $KEEP"

run_once () {   # mode index -> prints "pass ms" or "fail reason"
  local mode=$1 i=$2 dir=$WORK/run pids=() starts=() k t0
  rm -rf "$dir"; mkdir -p "$dir"
  local room="mesh-$mode-$i-$$"
  t0=$(now_ms)
  for k in 0 1 2 3; do
    [ "$mode" = staggered ] && [ $k -gt 0 ] && sleep "$(awk -v s="$STAGGER" 'BEGIN{print s/1000}')"
    starts[$k]=$(( $(now_ms) - t0 ))
    GST_DEBUG=${MESH_DEBUG:-webrtcroom:5} GST_DEBUG_NO_COLOR=1 \
      GST_DEBUG_FILE=$dir/peer$k.log \
      "$ROOM_PEER" --url "$URL" --room "$room" --name "p$k" --mode bin \
      --expect-peers 3 --timeout 20 --stay 60 > "$dir/peer$k.out" 2>&1 &
    pids[$k]=$!
  done
  # wait until every peer printed DONE, or one exited/timed out
  local done_n=0 exited=0
  while :; do
    done_n=$(cat "$dir"/peer?.out | grep -c '^DONE')
    exited=$(cat "$dir"/peer?.out | grep -c '^EXIT')
    [ "$done_n" -ge 4 ] || [ "$exited" -gt 0 ] && break
    for k in 0 1 2 3; do kill -0 "${pids[$k]}" 2>/dev/null || exited=1; done
    [ "$exited" -gt 0 ] && break
    [ $(( $(now_ms) - t0 )) -gt 30000 ] && { echo "HARNESS: 30 s" >> "$dir/peer0.out"; break; }
    sleep 0.05
  done
  kill -TERM "${pids[@]}" 2>/dev/null
  local codes="" ok=1 total=0 k2 since
  # a peer must exit within 10 s of SIGTERM; else: backtrace, SIGKILL, fail
  local w
  for w in $(seq 200); do
    alive=0; for k in 0 1 2 3; do kill -0 "${pids[$k]}" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.05
  done
  for k in 0 1 2 3; do
    if kill -0 "${pids[$k]}" 2>/dev/null; then
      echo "HANG at exit (SIGTERM + 10 s)" >> "$dir/peer$k.out"
      command -v gdb > /dev/null && timeout 60 gdb -q -batch -p "${pids[$k]}" \
        -ex "thread apply all bt 30" > "$dir/peer$k.gdb" 2>&1
      kill -KILL "${pids[$k]}" 2>/dev/null
    fi
  done
  for k in 0 1 2 3; do
    wait "${pids[$k]}"; local rc=$?
    codes="$codes $rc"
    [ $rc -eq 0 ] && grep -q '^DONE' "$dir/peer$k.out" || ok=0
    since=$(sed -n 's/^DONE .*since-start-ms=\([0-9-]*\).*/\1/p' "$dir/peer$k.out")
    [ -n "$since" ] && [ $(( starts[k] + since )) -gt $total ] && total=$(( starts[k] + since ))
  done
  local ndone
  ndone=$(cat "$dir"/peer?.out | grep -c '^DONE')
  if [ $ok -eq 1 ]; then
    echo "pass $total"
  elif [ "$ndone" -eq 4 ]; then
    cp -r "$dir" "$KEEP/$mode-$i"
    echo "links-ok-exit-failed $total exit-codes:$codes$(grep -l HANG "$dir"/peer?.out > /dev/null 2>&1 && echo " (hang at exit, gdb backtrace kept)") logs $KEEP/$mode-$i"
  else
    cp -r "$dir" "$KEEP/$mode-$i"
    echo "fail exit-codes:$codes$(grep -l HANG "$dir"/peer?.out > /dev/null 2>&1 && echo " (hang at exit, gdb backtrace kept)") logs $KEEP/$mode-$i"
  fi
}

for mode in at-once staggered; do
  times=(); pass=0; links=0
  for i in $(seq "$RUNS"); do
    r=$(run_once $mode "$i")
    echo "  $mode run $i: $r"
    case $r in
      pass*) pass=$((pass + 1)); links=$((links + 1)); times+=("$(echo "$r" | cut -d' ' -f2)");;
      links-ok*) links=$((links + 1)); times+=("$(echo "$r" | cut -d' ' -f2)");;
    esac
  done
  stats=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {
    if (NR) printf "min %d p50 %d p90 %d max %d ms", a[1], a[int((NR+1)/2)], a[int(NR*0.9+0.999)], a[NR]}')
  echo "RESULT mesh $mode: $pass/$RUNS passed (all 12 links decoding and all 4 processes exit 0); all 12 links decoding in $links/$RUNS; time to complete (first start -> last DONE, runs with 12 links): $stats"
done
