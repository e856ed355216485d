#!/bin/sh
# Serve WHEP players (a browser player, gst-launch, ffmpeg-style clients) from the room
# server's /whep/<room> endpoint: webrtcroomsink opts in to WHEP (meta whep:true) and sends
# its encoded test video to every player; no media passes through the server.
#   examples/launch/whep-serve.sh               env: see common.sh, TOKEN (join token)
# Play it with our WHEP client:
#   gst-launch-1.0 webrtcroomsrc server-url=whep+http://127.0.0.1:8443/whep/demo ! \
#     videoconvert ! autovideosink
. "$(dirname "$0")/common.sh"
exec gst-launch-1.0 videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=30/1 ! \
  webrtcroomsink server-url="$URL" room="$ROOM" display-name=whep-server meta='{"whep":true}' \
    ${TOKEN:+token=$TOKEN} $LOCAL
