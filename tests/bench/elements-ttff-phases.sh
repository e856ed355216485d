#!/bin/bash
# One iteration of the warm time-to-first-frame bench (elements-ttff-warm.sh)
# with logs, then its phase table (elements-ttff-phases.py): both processes'
# GST_DEBUG logs and libnice debug output (wall clock, used to put the two
# processes' GStreamer timestamps on one time line).
# usage: tests/bench/elements-ttff-phases.sh OUTDIR [GST_DEBUG]
#   (default GST_DEBUG webrtcroom:5,webrtcbin:4; the table needs at least those)
# env: BUILD (default build-bench), START_AFTER (ms, default 3000)
set -u
. "$(dirname "$0")/elements-common.sh"
elements_enter_netns "$@"
OUT=${1:?usage: $0 OUTDIR [GST_DEBUG]}
DBG=${2:-webrtcroom:5,webrtcbin:4}
START_AFTER=${START_AFTER:-3000}
mkdir -p "$OUT"
start_server "$OUT/server.out"
trap 'stop_server' EXIT
logs() {
  env GST_DEBUG="$DBG" GST_DEBUG_NO_COLOR=1 GST_DEBUG_FILE="$OUT/$1.log" \
    G_MESSAGES_DEBUG=libnice NICE_DEBUG=libnice "${@:2}"
}
logs recv "$ROOM_PEER" --url "$URL" --room phases --name viewer --mode src \
  --no-audio --min-frames 1 --timeout 20 > "$OUT/recv.out" 2>&1 &
recv=$!
sleep 0.5
logs send "$ROOM_PEER" --url "$URL" --room phases --name sender --mode sink \
  --no-audio --start-after "$START_AFTER" --expect-peers 0 --stay 10 \
  --timeout 30 > "$OUT/send.out" 2>&1 &
send=$!
wait "$recv"
kill "$send" 2>/dev/null; wait "$send" 2>/dev/null
/usr/bin/python3 "$(dirname "$0")/elements-ttff-phases.py" "$OUT"
