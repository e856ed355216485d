#!/usr/bin/env bash
# Element churn (issue 11): a webrtcroombin with --peers (20) remote viewers
# joining and leaving for --duration (60) s; prints the element process's
# RSS and threads idle, warm, at the peak and at the end. See README.md.
#   BUILD=build tests/bench/elements-churn.sh [--peers 20 --duration 60]
set -eu
source "$(dirname "${BASH_SOURCE[0]}")/elements-common.sh"
elements_enter_netns "$@"
gst-inspect-1.0 webrtcroombin > /dev/null 2>&1 || {
  echo "webrtcroombin not found in $GST_PLUGIN_PATH"; exit 1; }
export WEBRTC_ROOM_SERVER=$SERVER_BIN WEBRTC_ROOM_PEER=$ROOM_PEER
exec "$BUILD/tests/bench/elements-churn" "$@"
