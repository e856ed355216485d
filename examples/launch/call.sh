#!/bin/sh
# A two-way call (webrtcroombin, send + receive): run it twice (or once plus a browser
# at http://127.0.0.1:8443/?room=demo) in the same room.
#   examples/launch/call.sh [NAME]         env: see common.sh
. "$(dirname "$0")/common.sh"
NAME=${1:-caller}
if [ -e /dev/video0 ]; then
  VIDEO="v4l2src ! videoconvert ! videoscale ! video/x-raw,width=640,height=480"
  AUDIO="pulsesrc ! audioconvert ! audioresample"
else
  VIDEO="videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=480,framerate=30/1"
  AUDIO="audiotestsrc is-live=true wave=ticks volume=0.2"
fi
exec gst-launch-1.0 webrtcroombin name=room server-url="$URL" room="$ROOM" display-name="$NAME" $LOCAL \
  $VIDEO ! queue ! room.video_0 \
  $AUDIO ! queue ! room.audio_0 \
  room. ! queue ! videoconvert ! $VIDEO_SINK \
  room. ! queue ! audioconvert ! audioresample ! $AUDIO_SINK
