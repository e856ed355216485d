#!/usr/bin/env bash
# How fast video comes back, in the network lab (tests/network; needs root):
# runs the network suite's recovery scenarios RUNS times each and prints the
# video gaps they measure (room-peer MAXGAP/PEERGAP: the longest silence of
# the decoded video at each peer). The suite itself asserts only that video
# comes back and that a third peer is not disturbed, with bounds a loaded
# machine passes; these are the tight numbers:
#
#   cut             a's link dropped 3 s: gaps of a-b and a-c (>= 3 s by
#                   construction) and of the undisturbed b-c call
#   rebind          a's NAT changes its public address: the same gaps
#   turn-restart    relayed call, coturn killed, back after 1 s
#   server-restart  room server killed, back after 1 s: media keeps flowing
#
# usage: tests/bench/network-recovery.sh [-n RUNS] [BUILD_DIR]
#   (default 3 runs, ./build; SCENARIOS="cut rebind" picks scenarios)
set -uo pipefail
N=3
if [ "${1:-}" = -n ]; then
  N=$2
  shift 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
export WEBRTC_ROOM_SERVER="$BUILD/signaling/webrtc-room-server"
export WEBRTC_ROOM_BUILD_ROOT="$BUILD"
export WEBRTC_ROOM_SOURCE_ROOT="$ROOT"
export GST_PLUGIN_PATH_1_0="$BUILD/plugins/webrtcroom"
export GST_REGISTRY_1_0="$BUILD/tests/registry.bin"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
summary() {
  [ $# -gt 0 ] || { echo "no data"; return; }
  echo "median $(printf '%s\n' "$@" | median) ms ($(printf '%s\n' "$@" | sort -n | head -1)-$(printf '%s\n' "$@" | sort -n | tail -1), n=$#)"
}

for scenario in ${SCENARIOS:-cut rebind turn-restart server-restart}; do
  event=()
  other=()
  for ((i = 1; i <= N; i++)); do
    out=$(bash "$ROOT/tests/network/network-test.sh" "$scenario" 2>&1)
    rc=$?
    if [ $rc -eq 77 ]; then
      echo "$scenario: skipped: $(grep -m1 SKIP <<<"$out")"
      break
    fi
    # "X.out: longest video gap [from ID] N ms ..." lines; "(not involved)"
    # marks the undisturbed b-c call of cut and rebind
    while read -r line; do
      gap=$(sed -n 's/.* \([0-9][0-9]*\) ms.*/\1/p' <<<"$line")
      [ -n "$gap" ] || continue
      case $line in
        *"not involved"*) other+=("$gap") ;;
        *) event+=("$gap") ;;
      esac
    done < <(grep 'longest video gap' <<<"$out")
    echo "$scenario run $i: $([ $rc -eq 0 ] && echo pass || echo "FAIL (exit $rc): $(grep -m1 FAIL <<<"$out")");" \
      "gaps $(grep 'longest video gap' <<<"$out" | sed -n 's/.* \([0-9][0-9]*\) ms.*/\1/p' | tr '\n' ' ')ms"
  done
  echo "RESULT $scenario: longest video gap of the affected calls $(summary "${event[@]}")"
  [ ${#other[@]} -gt 0 ] && echo "RESULT $scenario: longest video gap of the undisturbed b-c call $(summary "${other[@]}")"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
