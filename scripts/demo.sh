#!/usr/bin/env bash
# The main demo on a fresh Debian 12 machine (as root): installs the dependencies, builds
# into build/ and runs examples/run-demo.sh build: the room server on 127.0.0.1:8443 plus
# two room-app peers (alice, bob) in room "demo" exchanging test video over 127.0.0.1.
# Exits 0 when both peers connected and received video. DEMO_SECONDS (default 20) sets
# how long it runs; meanwhile a browser can join at http://127.0.0.1:8443/?room=demo
set -euo pipefail
cd "$(dirname "$0")/.."

# only what the demo needs: no Chromium, node, npm or coturn
bash scripts/setup-deps.sh --demo
if [ -f build/meson-private/coredata.dat ]; then
  meson setup --reconfigure build
else
  meson setup build
fi
# only what the demo runs (the tests stay configured; `ninja -C build` builds them)
ninja -C build signaling/webrtc-room-server examples/room-app \
  plugins/webrtcroom/libgstwebrtcroom.so
exec sh examples/run-demo.sh build
