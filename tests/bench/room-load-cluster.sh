#!/bin/sh
# Runs room-load against one server, then against 2 servers sharing one
# port (SO_REUSEPORT) and their rooms through a redis-server (--cluster
# 2), with the same arguments: same-run numbers.
#
#   tests/bench/room-load-cluster.sh [room-load args...]
#
# BUILD=build-dir (default build), SERVERS=N (default 2). See
# tests/bench/README.md.
set -eu
BUILD=${BUILD:-build}
SERVERS=${SERVERS:-2}
echo "== 1 server process"
"$BUILD/tests/bench/room-load" "$@" || true
echo "== $SERVERS server processes, SO_REUSEPORT, rooms shared through Redis"
"$BUILD/tests/bench/room-load" --cluster "$SERVERS" "$@" || true
