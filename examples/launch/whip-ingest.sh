#!/bin/sh
# Take WHIP publishers (OBS, a browser library, gst-launch) into a room through the room
# server's /whip/<room> endpoint and republish their feed to room $TO_ROOM with no
# transcode: webrtcroomsrc opts in to WHIP (meta whip:true) in room $ROOM, and its encoded
# tracks go to webrtcroomsink in $TO_ROOM, where everyone watches.
#   examples/launch/whip-ingest.sh [TO_ROOM]    env: see common.sh; VIDEO_CAPS (default
#   video/x-h264, what OBS sends; video/x-vp8 for a VP8 publisher), TOKEN (join token)
# Then point the publisher at http://HOST:PORT/whip/$ROOM, e.g. OBS: Settings > Stream >
# Service "WHIP", Server http://127.0.0.1:8443/whip/demo-ingest, Bearer token $TOKEN.
. "$(dirname "$0")/common.sh"
ROOM=${ROOM_INGEST:-demo-ingest}
TO=${1:-${TO_ROOM:-demo}}
CAPS=${VIDEO_CAPS:-video/x-h264}
exec gst-launch-1.0 webrtcroomsrc name=in server-url="$URL" room="$ROOM" display-name=whip-ingest \
    decode=false meta='{"whip":true}' ${TOKEN:+token=$TOKEN} $LOCAL \
  webrtcroomsink name=out server-url="$URL" room="$TO" display-name=whip-feed \
    ${TOKEN:+token=$TOKEN} $LOCAL \
  in. ! "$CAPS" ! queue ! out.video_0
