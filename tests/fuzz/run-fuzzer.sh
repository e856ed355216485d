#!/bin/sh
# run-fuzzer.sh FUZZER SEED_DIR DICT [MAX_LEN]: a bounded libFuzzer run (the `fuzz`
# meson suite). FUZZ_SECONDS (default 20) of fuzzing, starting from the
# seeds; new inputs go to a scratch directory that is removed afterwards,
# crash inputs to $FUZZ_ARTIFACTS (default: the build's fuzz directory).
# Exit status: 0, or 1 on a crash, leak or timeout (libFuzzer's own default,
# 77, would read as "skipped" to meson).
set -eu
fuzzer=$1 seeds=$2 dict=$3 max_len=${4:-4096}
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$(dirname "$fuzzer")/}
# GLib < 2.76: plain malloc so LeakSanitizer sees the real owners
export G_SLICE=always-malloc
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
"$fuzzer" -error_exitcode=1 -max_total_time="${FUZZ_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
  -max_len="$max_len" -dict="$dict" -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$work" "$seeds"
