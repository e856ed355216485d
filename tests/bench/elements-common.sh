# Shared helpers for the elements-*.sh benchmarks (sourced, not run).
# BUILD: a meson build dir of this tree (default: build-bench at the top).

SRC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$SRC_ROOT/build-bench}
BUILD=$(cd "$BUILD" && pwd)
SERVER_BIN=$BUILD/signaling/webrtc-room-server
ROOM_PEER=$BUILD/tests/elements/room-peer
export GST_PLUGIN_PATH=$BUILD/plugins/webrtcroom${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}
export GST_REGISTRY_1_0=${GST_REGISTRY_1_0:-$BUILD/tests/bench/elements-registry.bin}

# Re-run the calling script inside a private network namespace holding only
# `lo` (nothing can leave the machine), unless already inside one.
elements_enter_netns () {
  if [ -z "${ELEMENTS_IN_NETNS:-}" ] && [ -z "${ELEMENTS_NO_NETNS:-}" ]; then
    export ELEMENTS_IN_NETNS=1
    exec unshare -rn bash -c 'ip link set lo up && exec "$@"' bash "$0" "$@"
  fi
}

now_ms () { echo $(( $(date +%s%N) / 1000000 )); }

# Starts a server on loopback, sets SERVER_PID and URL.
start_server () {
  local out=$1
  "$SERVER_BIN" --host 127.0.0.1 --port 0 --stun-port 0 > "$out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    URL=$(sed -n 's/.*listening on \(ws:[^ ]*\).*/\1/p' "$out" | head -1)
    [ -n "$URL" ] && break
    sleep 0.05
  done
  [ -n "$URL" ] || { echo "server did not start:"; cat "$out"; exit 1; }
  # build the registry once so the timed processes do not scan plugins
  gst-inspect-1.0 webrtcroombin > /dev/null 2>&1 || {
    echo "webrtcroombin not found in $GST_PLUGIN_PATH"; exit 1; }
}

stop_server () { [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }

# cpu_ticks PID: utime+stime of a process (clock ticks)
cpu_ticks () { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
