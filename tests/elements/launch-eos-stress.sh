#!/bin/sh
# Stress for test-launch-eos.sh's rare cases (not run by meson): ROUNDS rounds of PAIRS
# gst-launch-1.0 publisher/viewer pairs at once, each in its own room of one real
# server. Once video reaches a viewer's sink its publisher gets SIGINT, and the viewer
# must then end by itself (its tracks end with EOS). A viewer still running after 45 s
# is a hang: its threads' stacks (gdb) and logs are kept; so are those of a viewer with
# no video at its sink within 60 s (no preroll message). Run it in a namespace with
# only loopback:
#
#   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
#     tests/elements/launch-eos-stress.sh BUILD_DIR [ROUNDS [PAIRS [ELEMENT]]]
#
# BUILD_DIR may be an ASan build (the sanitizer runtimes are preloaded); GST_DEBUG for
# the viewers comes from $VIEWER_DEBUG (default GST_STATES:4), their logs go to
# $STRESS_DIR (default a new directory under /tmp). With 3 pairs of an ASan build on 2
# cores, a viewer hung in 2 tries of 15 before a peer leaving stopped flushing the pads
# of a pipeline set to PLAYING, and in none of 84 after.
set -u
B=${1:?usage: launch-eos-stress.sh BUILD_DIR [ROUNDS [PAIRS [ELEMENT]]]}
ROUNDS=${2:-20}
PAIRS=${3:-3}
ELEMENT=${4:-webrtcroombin}
DIR=${STRESS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/wr-eos-stress.XXXXXX")}
mkdir -p "$DIR"

SAN=$(ldd "$B/plugins/webrtcroom/libgstwebrtcroom.so" |
  awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')
export GST_PLUGIN_PATH_1_0="$B/plugins/webrtcroom" GST_REGISTRY_1_0="$DIR/registry.bin"
export GST_REGISTRY_FORK=no ASAN_OPTIONS=detect_leaks=0

"$B/signaling/webrtc-room-server" --host 127.0.0.1 --port 0 --stun-port 0 \
  > "$DIR/server.out" 2> "$DIR/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
i=0
until grep -q "listening on" "$DIR/server.out" 2>/dev/null; do
  i=$((i + 1))
  [ $i -le 100 ] || { echo "the server did not start"; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's|.*listening on \(ws://[^ ]*\) .*|\1|p' "$DIR/server.out")
COMMON="server-url=$URL local-addresses=127.0.0.1 ice-tcp=false"
# as in test-launch-eos.sh: the viewer's sink prerolled on its first video buffer
VIDEO_AT_SINK='from element "viewersink" (state-changed): GstMessageStateChanged, old-state=(GstState)ready, new-state=(GstState)paused'

# try ROOM DIR: exits 0 when the viewer ended, 1 on a hang, 2 without video
try() {
  room=$1 d=$2
  env LD_PRELOAD="$SAN" gst-launch-1.0 -e $ELEMENT name=room room=$room $COMMON \
    videotestsrc is-live=true ! video/x-raw,width=320,height=240 ! queue ! room.video_0 \
    audiotestsrc is-live=true ! queue ! room.audio_0 > "$d/sender.log" 2>&1 &
  sender=$!
  env LD_PRELOAD="$SAN" GST_DEBUG="${VIEWER_DEBUG:-GST_STATES:4}" GST_DEBUG_NO_COLOR=1 \
    GST_DEBUG_FILE="$d/viewer.debug" gst-launch-1.0 -e -m \
    webrtcroomsrc room=$room $COMMON ! video/x-raw ! fakesink name=viewersink sync=false \
    > "$d/viewer.log" 2>&1 &
  viewer=$!
  i=0
  until grep -q "$VIDEO_AT_SINK" "$d/viewer.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 600 ]; then
      gdb -p $viewer -batch -ex "thread apply all bt" > "$d/stacks" 2>&1
      kill -KILL $sender $viewer; wait
      return 2
    fi
    sleep 0.1
  done
  kill -INT $sender
  i=0
  while kill -0 $viewer 2>/dev/null && [ $i -lt 450 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  if kill -0 $viewer 2>/dev/null; then
    gdb -p $viewer -batch -ex "thread apply all bt" > "$d/stacks" 2>&1
    kill -KILL $sender $viewer; wait
    return 1
  fi
  kill -KILL $sender 2>/dev/null
  wait
  return 0
}

n=0 hangs=0 novideo=0
while [ $n -lt "$ROUNDS" ]; do
  pids=""
  for p in $(seq 1 "$PAIRS"); do
    mkdir -p "$DIR/r$n-$p"
    try "r$n-$p" "$DIR/r$n-$p" &
    pids="$pids $!"
  done
  p=0
  for pid in $pids; do
    p=$((p + 1))
    wait $pid
    case $? in
      0) rm -rf "$DIR/r$n-$p" ;;
      1) hangs=$((hangs + 1)); echo "hang: $DIR/r$n-$p" ;;
      *) novideo=$((novideo + 1)); echo "no video: $DIR/r$n-$p" ;;
    esac
  done
  n=$((n + 1))
  echo "round $n of $ROUNDS: $((n * PAIRS)) tries, $hangs hangs, $novideo without video"
done
[ $hangs -eq 0 ]
