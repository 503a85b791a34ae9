#!/usr/bin/env bash
# Builds the libFuzzer harnesses and fuzzes each for SECONDS (default 60), then replays the
# saved crashers in FailCases/. Usage: Tests/Fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
swift build --sanitize=fuzzer -Xswiftc -parse-as-library
mkdir -p corpus/rules corpus/journal corpus/sanitizer
for kind in rules journal sanitizer; do cp -n Seeds/$kind/* corpus/$kind/ 2>/dev/null || true; done
export SWIFT_BACKTRACE=enable=no
for target in FuzzRules:rules FuzzJournal:journal FuzzSanitizer:sanitizer; do
    name="${target%%:*}"; dir="corpus/${target##*:}"
    echo "== $name for ${seconds}s"
    ".build/debug/$name" -max_total_time="$seconds" -print_final_stats=1 "$dir" 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|Done|crash-" || true
done
if compgen -G "FailCases/*" > /dev/null; then
    for target in FuzzRules FuzzJournal FuzzSanitizer; do ".build/debug/$target" FailCases/* >/dev/null; done
fi
