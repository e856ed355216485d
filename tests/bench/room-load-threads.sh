#!/bin/sh
# Runs room-load with the server's I/O threads at each count given (the
# default is the server's own: one per processor), one after the other,
# with the same arguments: same-run numbers. 0 is the baseline, every
# WebSocket on the main thread.
#
#   tests/bench/room-load-threads.sh "0 1 2" [room-load args...]
#
# BUILD=build-dir (default build). See tests/bench/README.md.
set -eu
BUILD=${BUILD:-build}
counts=${1:-0 2}
[ $# -gt 0 ] && shift
for n in $counts; do
  echo "== --io-threads=$n"
  "$BUILD/tests/bench/room-load" --server-arg=--io-threads="$n" "$@" || true
done
