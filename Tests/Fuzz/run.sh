#!/usr/bin/env bash
# Builds the libFuzzer harnesses and fuzzes each for SECONDS (default 60), then replays the
# saved crashers in FailCases/. Usage: Tests/Fuzz/run.sh [SECONDS] [TARGET ...]
#   targets: rules journal sanitizer json imports (default: all)
# An input that runs longer than 10 s counts as a hang (libFuzzer's -timeout), like a crash.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(rules journal sanitizer json imports)
swift build --sanitize=fuzzer -Xswiftc -parse-as-library
export SWIFT_BACKTRACE=enable=no
declare -A targets=([rules]=FuzzRules [journal]=FuzzJournal [sanitizer]=FuzzSanitizer [json]=FuzzJSON [imports]=FuzzImports)
for kind in "${kinds[@]}"; do
    name="${targets[$kind]}"; dir="corpus/$kind"
    mkdir -p "$dir"
    cp -n Seeds/$kind/* "$dir"/ 2>/dev/null || true
    echo "== $name for ${seconds}s"
    ".build/debug/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$dir" 2>&1 \
        | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|Done|crash-|timeout-" || true
done
if compgen -G "FailCases/*" > /dev/null; then
    for kind in "${kinds[@]}"; do ".build/debug/${targets[$kind]}" FailCases/* >/dev/null; done
fi
