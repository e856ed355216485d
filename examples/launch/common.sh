# Sourced by the examples/launch/*.sh scripts: defaults from the environment.
#   WEBRTC_ROOM_URL  room server (default ws://127.0.0.1:8443/ws, as examples/run-demo.sh starts it)
#   ROOM             room name (default demo)
#   LOCAL_ADDRESSES  ICE addresses to use (default empty = all interfaces; 127.0.0.1 on loopback-only hosts)
#   BUILD            build dir (default ./build): its plugins/webrtcroom is put on GST_PLUGIN_PATH
#   VIDEO_SINK       video sink of watch.sh/call.sh (default autovideosink; fakesink without a display)
#   AUDIO_SINK       audio sink of watch.sh/call.sh (default autoaudiosink; fakesink without sound)
URL=${WEBRTC_ROOM_URL:-ws://127.0.0.1:8443/ws}
ROOM=${ROOM:-demo}
BUILD=${BUILD:-./build}
if [ -d "$BUILD/plugins/webrtcroom" ]; then
  GST_PLUGIN_PATH="$(cd "$BUILD/plugins/webrtcroom" && pwd)${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
  export GST_PLUGIN_PATH
fi
LOCAL=""
[ -n "${LOCAL_ADDRESSES:-}" ] && LOCAL="local-addresses=$LOCAL_ADDRESSES"
VIDEO_SINK=${VIDEO_SINK:-autovideosink}
AUDIO_SINK=${AUDIO_SINK:-autoaudiosink}
