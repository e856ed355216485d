#!/bin/bash
# Time to first frame (room vs a plain webrtcbin pair), inside `unshare -rn`.
# usage: tests/bench/elements-ttff.sh [elements-ttff options, e.g. -n 10]
# env: BUILD (default build-bench)
set -u
. "$(dirname "$0")/elements-common.sh"
elements_enter_netns "$@"
gst-inspect-1.0 webrtcroombin > /dev/null 2>&1 || { echo "webrtcroombin not found"; exit 1; }
exec "$BUILD/tests/bench/elements-ttff" "$@"
