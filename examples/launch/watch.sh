#!/bin/sh
# Watch a room (receive only, webrtcroomsrc): every remote peer's video in a window
# (autovideosink) and its audio on autoaudiosink. gst-launch cannot link pads that
# appear later per peer, so this links the first video and audio pad; use
# examples/c/room-app.c as a starting point for many peers.
#   examples/launch/watch.sh [NAME]        env: see common.sh
. "$(dirname "$0")/common.sh"
NAME=${1:-watcher}
exec gst-launch-1.0 webrtcroomsrc name=room server-url="$URL" room="$ROOM" display-name="$NAME" $LOCAL \
  room. ! queue ! videoconvert ! $VIDEO_SINK \
  room. ! queue ! audioconvert ! audioresample ! $AUDIO_SINK
