#!/bin/sh
# Record a room to a Matroska file without re-encoding: webrtcroomsrc decode=false gives
# the depayloaded VP8/H264/Opus streams, matroskamux stores them as they are.
# The caps filters pick the pads (VP8 video, Opus audio: the defaults; use video/x-h264 for H264);
# the mux pads are named (video_0/audio_0): an unnamed "mux." would give the audio a video pad.
# Stop with Ctrl-C (-e sends EOS so the file is finalized).
#   examples/launch/record.sh [FILE.mkv]   env: see common.sh
. "$(dirname "$0")/common.sh"
OUT=${1:-room-$ROOM.mkv}
exec gst-launch-1.0 -e webrtcroomsrc name=room server-url="$URL" room="$ROOM" display-name=recorder decode=false $LOCAL \
  matroskamux name=mux streamable=true ! filesink location="$OUT" \
  room. ! video/x-vp8 ! queue ! mux.video_0 \
  room. ! audio/x-opus ! queue ! mux.audio_0
