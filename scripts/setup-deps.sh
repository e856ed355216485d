#!/usr/bin/env bash
# Install everything gst-webrtc-rooms needs on Debian 12 (run as root), then the browser
# tests' npm dependency (tests/browser: playwright-core, from package-lock.json).
# Idempotent: re-running installs nothing new.
#
# Node.js: the browser tests need node >= 20 (tests/browser/meson.build). Debian 12's
# nodejs is v18, so a node >= 20 already on PATH (e.g. NodeSource's nodejs, which also
# ships npm and conflicts with Debian's npm package) is kept and Debian's nodejs/npm are
# not installed. Otherwise Debian's nodejs + npm are installed and, if that still is not
# >= 20, the script fails with a message saying how to get one.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-deps: run as root (or install sudo)" >&2; exit 1; }
  SUDO="sudo -E"
fi

PACKAGES=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-tools
  libnice-dev libsoup-3.0-dev libjson-glib-dev
  iproute2 util-linux indent
  chromium chromium-driver
  coturn iptables nftables libnetfilter-queue-dev openssl procps
  # gdb: tests/elements/test-rooms prints the stacks of a peer still running at
  # its deadline
  gdb
)

# node_major: major version of the `node` on PATH, empty if there is none.
node_major() {
  command -v node >/dev/null 2>&1 || return 0
  node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || true
}

major=$(node_major)
if [ -n "$major" ] && [ "$major" -ge 20 ] && command -v npm >/dev/null 2>&1; then
  echo "setup-deps: using node $(node --version) at $(command -v node) (not installing Debian's nodejs/npm)"
else
  PACKAGES+=(nodejs npm)
fi

$SUDO apt-get update
$SUDO apt-get install -y "${PACKAGES[@]}"

major=$(node_major)
if [ -z "$major" ] || [ "$major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
  echo "setup-deps: the browser tests need Node.js >= 20 with npm, but PATH has" \
    "$(command -v node >/dev/null 2>&1 && node --version || echo 'no node')" \
    "(Debian 12's nodejs is v18). Install Node.js >= 20 (e.g. from NodeSource:" \
    "https://github.com/nodesource/distributions) so that it is first on PATH, then re-run." >&2
  exit 1
fi

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
