#!/usr/bin/env bash
# Runs one already-built fuzz target for SECONDS without rebuilding (cargo fuzz run would
# rebuild whenever a crate changes). Build first with: cargo +nightly fuzz build -O
#   fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
# New corpus entries go to fuzz/work/TARGET (git-ignored), crashes to fuzz/artifacts/TARGET/,
# the log to fuzz/work/TARGET.log. The committed seeds in fuzz/corpus/TARGET are read only.
set -euo pipefail
cd "$(dirname "$0")"
target=$1 secs=$2
shift 2
bin=target/x86_64-unknown-linux-gnu/release/$target
mkdir -p "work/$target" "artifacts/$target"
case $target in
  pickle | parser) max_len=16384 ;;
  *) max_len=65536 ;;
esac
exec "$bin" "work/$target" "corpus/$target" \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
  -artifact_prefix="artifacts/$target/" -print_final_stats=1 "$@" \
  > "work/$target.log" 2>&1
