#!/bin/sh
# gst-launch-1.0 -e, then Ctrl-C, ends cleanly (issue 10): a real gst-launch-1.0
# process publishes video+audio (videotestsrc/audiotestsrc is-live=true) with
# webrtcroomsink or webrtcroombin into a room of a real server, a webrtcroomsrc viewer in
# another gst-launch-1.0 -e process decodes it; once video reaches the viewer's sink, one
# of them gets SIGINT: the sender in even tries, the viewer in odd ones. Each interrupted
# process must print "Got EOS" and exit 0 within the bound, and so must the viewer by
# itself once its publisher has left (the publisher's tracks end with EOS). A hang in 1 of 2 tries fails
# this test with probability 1 - 2^-TRIES per element (TRIES=6 by default: 98 %).
# A try whose viewer never got video (a connection problem, not this test's subject) is
# reported and repeated, at most 3 times per element (1 try in 20 on a loaded machine).
# One cause is gone: gst-launch-1.0's delayed link lost the video pad when both pads
# came at once (the element now adds its pads one at a time). The other was this test:
# it read "video reached the sink" from gst-launch-1.0 -v's caps line, which GLib can
# drop. deep-notify is a G_SIGNAL_NO_RECURSE signal, and GLib looks for a running
# emission of it on the same object (the pipeline) in all threads: a caps change
# notified while another thread is inside a deep-notify::caps of the pipeline (the
# DTLS/SRTCP caps of the sending side change all the time) is folded into that one and
# never printed. In the tries without that line, 1,856 and 1,868 video buffers had been
# rendered. The test now waits for the sink's own READY -> PAUSED state-changed message
# (gst-launch-1.0 -m), posted when the first decoded buffer prerolls it.
#
# Odd tries interrupt the viewer first (the sender still sending), then the sender.
# That viewer hung in 1 of 16 such tries until its EOS was pushed off the state-locked
# send_event() thread (a sink prerolling after a flush held the stream lock the push
# needed, and waited for the state lock).
# Even tries: a viewer whose publisher left right after its first frame hung (2 tries
# in 15 with 3 pairs at once under ASan) until a peer leaving stopped flushing the
# pads of a pipeline set to PLAYING (the flush made the sink lose its state while the
# pipeline was busy going to PLAYING; GStreamer dropped that, and the track's EOS waited
# in the sink for good). launch-eos-stress.sh runs many such tries at once.
#
set -u
TRIES=${WEBRTC_ROOM_EOS_TRIES:-6}
SLOW=1
[ -n "${WEBRTC_ROOM_SLOW:-}" ] && SLOW=3
CONNECT_BOUND=$((40 * SLOW)) # seconds until video reaches the viewer's sink
EXIT_BOUND=$((15 * SLOW))    # seconds from SIGINT to the process' exit

command -v gst-launch-1.0 >/dev/null || {
  echo "SKIP: gst-launch-1.0 missing (gstreamer1.0-tools)"; exit 77; }
# a sanitizer build's plugin needs its runtimes loaded first in gst-launch-1.0
# (env execs the program: $! stays the pid SIGINT goes to)
SAN_PRELOAD=$(ldd "${GST_PLUGIN_PATH_1_0%%:*}/libgstwebrtcroom.so" 2>/dev/null |
  awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')
GST="env LD_PRELOAD=$SAN_PRELOAD"
$GST gst-inspect-1.0 webrtcroomsink >/dev/null 2>&1 || {
  echo "FAIL: webrtcroomsink not found (GST_PLUGIN_PATH_1_0=${GST_PLUGIN_PATH_1_0:-})"; exit 1; }

# GStreamer 1.22's rtpsession walks its sources from the RTCP thread while
# another thread adds one; GLib reports it with this CRITICAL (seen here about once
# in 20 processes, never in our code; room-peer survives it the same way).
# gst-launch-1.0 cannot filter it, so criticals are not fatal in these processes:
# any other CRITICAL in a log fails the try.
KNOWN_CRITICAL="g_hash_table_foreach: assertion 'version == hash_table->version'"
unset G_DEBUG

DIR=$(mktemp -d "${TMPDIR:-/tmp}/wr-launch-eos.XXXXXX")
PIDS=""
cleanup() {
  for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
  [ -n "${WEBRTC_ROOM_EOS_KEEP:-}" ] && echo "logs kept in $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT

"$WEBRTC_ROOM_SERVER" --host 127.0.0.1 --port 0 --stun-port 0 > "$DIR/server.out" 2> "$DIR/server.err" &
SERVER=$!
PIDS="$SERVER"
i=0
until grep -q "listening on" "$DIR/server.out" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 $SERVER 2>/dev/null; then
    echo "FAIL: the server did not start"; cat "$DIR/server.err"; exit 1
  fi
  sleep 0.1
done
URL=$(sed -n 's|.*listening on \(ws://[^ ]*\) .*|\1|p' "$DIR/server.out")
echo "server: $URL"
COMMON="server-url=$URL local-addresses=127.0.0.1 ice-tcp=false"
# the viewer's sink prerolled: its first decoded video buffer arrived
VIDEO_AT_SINK='from element "viewersink" (state-changed): GstMessageStateChanged, old-state=(GstState)ready, new-state=(GstState)paused'

# wait_for FILE PATTERN SECONDS PID...: FILE has a line matching PATTERN within SECONDS
# while every PID runs
wait_for() {
  file=$1 pattern=$2 bound=$3
  shift 3
  end=$(($(date +%s) + bound))
  until grep -q "$pattern" "$file" 2>/dev/null; do
    [ "$(date +%s)" -lt $end ] || return 1
    for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done
    sleep 0.1
  done
}

# show LOG: the end of a gst-launch-1.0 log without its message and property lines
show() {
  grep -v '^Got message\|^/Gst\|^Redistribute latency' "$1" | tail -n 25
}

# await_exit NAME PID LOG WHEN: the process prints "Got EOS" and exits 0 within
# EXIT_BOUND; on a hang the stacks of every thread are printed (gdb, when installed)
# before the process is killed
await_exit() {
  name=$1 pid=$2 log=$3 when=$4
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt $((EXIT_BOUND * 10)) ]; do
    sleep 0.1
    i=$((i + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: $name still running $EXIT_BOUND s $when"
    if command -v gdb >/dev/null; then
      gdb -p "$pid" -batch -ex "thread apply all bt" 2>/dev/null | grep -E '^(Thread|#)' | grep -v ' in ?? ()' | head -400
    fi
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    echo "--- $name output (tail)"; show "$log"
    return 1
  fi
  wait "$pid"
  rc=$?
  if [ $rc -ne 0 ] || ! grep -q "^Got EOS from element" "$log" ||
    grep -v "$KNOWN_CRITICAL" "$log" | grep -q "CRITICAL"; then
    echo "FAIL: $name exited $rc $when, $(grep -c '^Got EOS from element' "$log") 'Got EOS' lines"
    echo "--- $name output (tail)"; show "$log"
    return 1
  fi
  return 0
}

# interrupt NAME PID LOG: Ctrl-C, then the process ends as await_exit says
interrupt() {
  kill -INT "$2"
  await_exit "$1" "$2" "$3" "after SIGINT"
}

# ended_alone NAME PID LOG: the process ends by itself (a viewer whose only publisher
# left: the peer's src pads send EOS before they go, so the viewer's sink gets it)
ended_alone() {
  await_exit "$1" "$2" "$3" "after its publisher left"
}

failed=0
for element in webrtcroomsink webrtcroombin; do
  ok=0
  t=0
  retries=0
  while [ $t -lt "$TRIES" ]; do
    room="eos-$element-$t"
    slog="$DIR/$room-sender.log"
    vlog="$DIR/$room-viewer.log"
    # (webrtcroombin receives nothing from a viewer: no src pad to link)
    $GST gst-launch-1.0 -e -m $element name=room room=$room $COMMON \
      videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! queue ! room.video_0 \
      audiotestsrc is-live=true ! queue ! room.audio_0 > "$slog" 2>&1 &
    sender=$!
    # -m: the fakesink's READY -> PAUSED says decoded video reached it
    $GST gst-launch-1.0 -e -m webrtcroomsrc name=v room=$room $COMMON \
      ! video/x-raw ! fakesink name=viewersink sync=false > "$vlog" 2>&1 &
    viewer=$!
    PIDS="$PIDS $sender $viewer"
    if ! wait_for "$slog" "webrtcroom-peer-connected" $CONNECT_BOUND $sender $viewer ||
      ! wait_for "$vlog" "$VIDEO_AT_SINK" $CONNECT_BOUND $sender $viewer; then
      retries=$((retries + 1))
      echo "$element try $t: no video at the viewer within $CONNECT_BOUND s (repeat $retries of 3)"
      echo "--- sender"; show "$slog"; echo "--- viewer"; show "$vlog"
      kill -KILL $sender $viewer 2>/dev/null
      wait $sender $viewer 2>/dev/null
      if [ $retries -gt 3 ]; then
        echo "FAIL: $element: no video at the viewer in $retries tries"
        failed=1
        t=$((t + 1))
      fi
      continue
    fi
    if [ $((t % 2)) -eq 0 ]; then
      interrupt "$element sender (try $t)" $sender "$slog" &&
        ended_alone "webrtcroomsrc viewer of $element (try $t)" $viewer "$vlog" &&
        ok=$((ok + 1))
    else
      interrupt "webrtcroomsrc viewer, $element sending (try $t)" $viewer "$vlog" &&
        interrupt "$element sender after the viewer (try $t)" $sender "$slog" &&
        ok=$((ok + 1))
    fi
    kill -KILL $sender $viewer 2>/dev/null
    wait $sender $viewer 2>/dev/null
    t=$((t + 1))
  done
  echo "$element: $ok of $TRIES tries ended cleanly on Ctrl-C"
  [ $ok -eq "$TRIES" ] || failed=1
done
exit $failed
