#!/bin/sh
# Runs room-load against this build's server and a baseline server binary
# (e.g. one built from main, the libsoup-per-socket transport) with the
# same arguments, one after the other: same-run numbers.
#
#   tests/bench/room-load-compare.sh BASELINE_SERVER [room-load args...]
#
# BUILD=build-dir (default build). See tests/bench/README.md.
set -eu
BUILD=${BUILD:-build}
baseline=$1
shift
echo "== this build"
"$BUILD/tests/bench/room-load" "$@" || true
echo "== baseline: $baseline"
"$BUILD/tests/bench/room-load" --server "$baseline" "$@" || true
