#!/usr/bin/env bash
# The whole CI run for gst-webrtc-rooms on Debian 12 (as root); .ci/run execs this.
#
#   1. scripts/setup-deps.sh                      (apt packages, node >= 20, npm ci in
#                                                 tests/browser)
#   2. scripts/check-format                       (gst-indent; fails on unformatted files)
#   3. build-ci/: -Dwerror=true -Dbrowser-tests=enabled -Dnetwork-tests=enabled, then
#      every suite (protocol, server, cluster, signaller, elements, peer, network, browser;
#      network builds its own namespaces inside the private one; its tests are is_parallel:
#      false, so meson runs each alone and the suite runs once, in this run only)
#   4. build-asan/: -Db_sanitize=address,undefined, then the suites protocol, server,
#      signaller (leak detection on), elements, peer and cluster (leak detection off:
#      GStreamer plugins keep allocations until exit by design)
#   5. build-fuzz/: CC=clang -Dfuzzers=enabled, the `fuzz` suite (libFuzzer smoke runs
#      of the protocol codec and the room handler, 20 s each)
#
# Every `meson test` runs inside a private network namespace that holds only `lo`
# (unshare -n), so the tests neither see nor disturb the machine's network.
# Later steps still run after a failed one (a failed build skips its own tests); the exit
# status is non-zero if anything failed. The last line is "N passed, N failed, N skipped"
# summed over all meson test runs (Ok; Fail + Timeout + Unexpected Pass; Skipped); a failed
# step that is not a meson test run (setup, format check, a build) adds 1 to "failed".
#
# Developer convenience (CI never sets it): SKIP_FORMAT=1 skips step 2.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

START=$(date +%s)
PASSED=0
FAILED=0
SKIPPED=0
FAILED_STEPS=()

step() { printf '\n==== %s (%ds)\n' "$*" $(($(date +%s) - START)); }
fail_step() { FAILED_STEPS+=("$1"); echo "test-all: FAILED: $1" >&2; }

# run_suites NAME BUILD_DIR [meson test args...]: meson test inside `unshare -n` with lo up;
# adds meson's Ok / Fail (+ Timeout, Unexpected Pass) / Skipped counts to the totals.
run_suites() {
  local name=$1 dir=$2
  shift 2
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/test-all.XXXXXX")
  step "tests: $name"
  # --timeout-multiplier: meson's per-test timeouts catch hangs; on a loaded
  # machine a test that is only slow must not hit them
  unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
    meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local ok fail skip
  count() { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$log" | tail -n 1; }
  ok=$(count 'Ok')
  fail=0
  for k in 'Fail' 'Timeout' 'Unexpected Pass'; do
    v=$(count "$k")
    fail=$((fail + ${v:-0}))
  done
  skip=$(count 'Skipped')
  rm -f "$log"
  PASSED=$((PASSED + ${ok:-0}))
  FAILED=$((FAILED + fail))
  SKIPPED=$((SKIPPED + ${skip:-0}))
  if [ "$rc" -ne 0 ]; then
    # a run that failed without a meson summary (e.g. it could not start) counts as one
    [ -z "$ok" ] && FAILED=$((FAILED + 1))
    fail_step "tests: $name"
  fi
}

# configure BUILD_DIR [meson setup options...]: setup, or reconfigure an existing dir.
configure() {
  local dir=$1
  shift
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    rm -rf "$dir"
    meson setup "$dir" "$@"
  fi
}

step "setup-deps"
bash scripts/setup-deps.sh || { fail_step "setup-deps"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# The node >= 20 that setup-deps installed from the npm registry when PATH had none
# (Debian 12's nodejs is v18): first on PATH, so that meson finds it for the browser
# tests (keep NODE_PREFIX in sync with scripts/setup-deps.sh)
NODE_PREFIX=${WEBRTC_ROOM_NODE_PREFIX:-/opt/gst-webrtc-rooms-node}
path_node_major=$(node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || true)
if [ "${path_node_major:-0}" -lt 20 ] && [ -x "$NODE_PREFIX/node_modules/.bin/node" ]; then
  export PATH="$NODE_PREFIX/node_modules/.bin:$PATH"
fi
echo "test-all: node $(node --version 2>/dev/null || echo 'not found') at $(command -v node || echo '-')"

if [ "${SKIP_FORMAT:-0}" = 1 ]; then
  step "format check SKIPPED (SKIP_FORMAT=1)"
else
  step "format check"
  sh scripts/check-format || fail_step "format check"
fi

# network-tests=enabled: a missing libnetfilter_queue fails the build instead of
# silently skipping the loss test
step "build: build-ci (werror, browser and network tests)"
if configure build-ci -Dwerror=true -Dbrowser-tests=enabled -Dnetwork-tests=enabled \
    -Dintrospection=enabled &&
    ninja -C build-ci; then
  run_suites "build-ci: all suites" build-ci
else
  fail_step "build: build-ci"
fi

step "build: build-asan (address,undefined)"
if configure build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbrowser-tests=disabled &&
    ninja -C build-asan; then
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # GLib < 2.76 keeps a slice allocator: plain malloc lets LSan see the real owners.
  export G_SLICE=always-malloc
  # Scan plugins in-process: gst-plugin-scanner is not built with ASan and cannot load
  # our ASan-built plugin (the registry would then lack the webrtcroom elements).
  export GST_REGISTRY_FORK=no
  ASAN_OPTIONS=detect_leaks=1 \
    run_suites "build-asan: protocol server signaller (leaks detected)" build-asan \
    --suite protocol --suite server --suite signaller
  # cluster: memory errors in the servers abort them (and fail the test); leaks
  # not detected (its WebRTC call runs room-peer, GStreamer)
  ASAN_OPTIONS=detect_leaks=0 \
    run_suites "build-asan: elements peer cluster (leaks not detected)" build-asan \
    --suite elements --suite peer --suite cluster
else
  fail_step "build: build-asan"
fi

# libFuzzer smoke runs (tests/fuzz/README.md): clang, 20 s per target
step "build: build-fuzz (clang, libFuzzer)"
if CC=clang configure build-fuzz -Dfuzzers=enabled -Dplugin=disabled -Dexamples=disabled \
    -Dbrowser-tests=disabled -Dnetwork-tests=disabled &&
    ninja -C build-fuzz tests/fuzz/fuzz-protocol tests/fuzz/fuzz-room-handler \
      tests/fuzz/fuzz-signal-payload; then
  run_suites "build-fuzz: fuzz (smoke runs)" build-fuzz --no-rebuild --suite fuzz
else
  fail_step "build: build-fuzz"
fi

step "done"
echo "time: $(($(date +%s) - START))s"
if [ ${#FAILED_STEPS[@]} -gt 0 ]; then
  echo "failed steps:"
  printf '  %s\n' "${FAILED_STEPS[@]}"
fi
# a failed step outside meson test (format, setup, build) counts as one failure
for s in "${FAILED_STEPS[@]}"; do
  case $s in tests:*) ;; *) FAILED=$((FAILED + 1)) ;; esac
done
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ ${#FAILED_STEPS[@]} -eq 0 ]
