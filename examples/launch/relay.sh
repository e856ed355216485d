#!/bin/sh
# Relay a room's stream into another room without re-encoding: webrtcroomsrc decode=false
# (encoded video + audio of the first peer) into webrtcroomsink in room $TO_ROOM.
#   examples/launch/relay.sh [TO_ROOM]     env: see common.sh (ROOM = source room)
. "$(dirname "$0")/common.sh"
TO=${1:-${TO_ROOM:-demo-relay}}
exec gst-launch-1.0 webrtcroomsrc name=in server-url="$URL" room="$ROOM" display-name=relay decode=false $LOCAL \
  webrtcroomsink name=out server-url="$URL" room="$TO" display-name=relay $LOCAL \
  in. ! video/x-vp8 ! queue ! out.video_0 \
  in. ! audio/x-opus ! queue ! out.audio_0
