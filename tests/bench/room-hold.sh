#!/bin/sh
# Connections held by several server processes sharing one port
# (SO_REUSEPORT) and their rooms through a redis-server on loopback:
# first the time for 10,000 peers to connect and join, then PEERS
# (default 50,000) peers held: the servers' total RSS and RSS per
# connection, redis-server's RSS, idle CPU.
#
#   tests/bench/room-hold.sh [room-load args...]
#
# One process may hold 20,000 fds here (a hard limit that cannot be
# raised), hence SERVERS server processes (default 3) and a load
# generator split in processes of at most 18,000 connections each,
# binding source addresses 127.0.0.2.. (SOURCES, default 4; ~28,000
# ephemeral ports each). BUILD=build-dir (default build), JOIN_PEERS
# (default 10000) for the first run. See
# tests/bench/README.md.
set -eu
BUILD=${BUILD:-build}
SERVERS=${SERVERS:-3}
PEERS=${PEERS:-50000}
SOURCES=${SOURCES:-4}
JOIN_PEERS=${JOIN_PEERS:-10000}
procs=$(((PEERS + 17999) / 18000))
fds=$(ulimit -n)
echo "== fd limit per process: $fds; $PEERS peers: $SERVERS server" \
    "processes, $procs generator processes"
echo "== $JOIN_PEERS peers connect and join"
"$BUILD/tests/bench/room-load" --cluster "$SERVERS" --peers "$JOIN_PEERS" \
    --procs 2 --sources "$SOURCES" --first-source 2 --rate 0 --idle 3 \
    "$@" || true
echo "== $PEERS peers held"
"$BUILD/tests/bench/room-load" --cluster "$SERVERS" --peers "$PEERS" \
    --procs "$procs" --sources "$SOURCES" --first-source 2 --rate 0 \
    --idle 10 "$@"
