#!/bin/sh
# Publish camera + microphone into a room (send only, webrtcroomsink). Stop with Ctrl-C
# (no -e: webrtcroomsink does not complete an EOS yet, gst-launch -e would hang).
# Uses v4l2src/pulsesrc when /dev/video0 exists, else videotestsrc/audiotestsrc.
#   examples/launch/publish.sh [NAME]      env: see common.sh (WEBRTC_ROOM_URL, ROOM, ...)
. "$(dirname "$0")/common.sh"
NAME=${1:-publisher}
if [ -e /dev/video0 ]; then
  VIDEO="v4l2src ! videoconvert ! videoscale ! video/x-raw,width=640,height=480"
  AUDIO="pulsesrc ! audioconvert ! audioresample"
else
  echo "publish.sh: no /dev/video0, using test sources" >&2
  VIDEO="videotestsrc is-live=true pattern=smpte ! video/x-raw,width=640,height=480,framerate=30/1 ! timeoverlay"
  AUDIO="audiotestsrc is-live=true wave=ticks volume=0.2"
fi
exec gst-launch-1.0 webrtcroomsink name=room server-url="$URL" room="$ROOM" display-name="$NAME" $LOCAL \
  $VIDEO ! queue ! room.video_0 \
  $AUDIO ! queue ! room.audio_0
