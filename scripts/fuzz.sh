#!/bin/sh
# Builds the SimpulMapping decoders with libFuzzer (-sanitize=fuzzer,address) and runs
# each target briefly. Not part of `swift build`: the fuzz entry lives in Tests/Fuzz.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default 20 s; targets json ndjson csv xml geojson mapping)
#
# Leak detection is off: globals initialised once (the compiled adapter) read as leaks.
# A crash leaves its input in .build-fuzz/artifacts/; replay it with
#   SIMPUL_FUZZ_TARGET=csv .build-fuzz/simpul-fuzz .build-fuzz/artifacts/crash-…
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-20}"
[ $# -gt 0 ] && shift
TARGETS="${*:-json ndjson csv xml geojson mapping}"
OUT=.build-fuzz
mkdir -p "$OUT/artifacts"

SOURCES=$(find Sources/SimpulMapping -name '*.swift' | sort)
if [ ! -x "$OUT/simpul-fuzz" ] || [ -n "$(find Sources/SimpulMapping Tests/Fuzz -newer "$OUT/simpul-fuzz" -name '*.swift' | head -1)" ]; then
    echo "building $OUT/simpul-fuzz"
    swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -module-name SimpulMapping \
        -o "$OUT/simpul-fuzz" $SOURCES Tests/Fuzz/FuzzMain.swift > "$OUT/build.log" 2>&1 \
        || { grep -v "Cannot export local symbol" "$OUT/build.log"; exit 1; }
fi

status=0
for target in $TARGETS; do
    corpus="$OUT/corpus-$target"
    mkdir -p "$corpus"
    cp Tests/Fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    echo "fuzzing $target for ${SECONDS_PER_TARGET}s"
    if ! ASAN_OPTIONS=detect_leaks=0 SIMPUL_FUZZ_TARGET="$target" "$OUT/simpul-fuzz" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -artifact_prefix="$OUT/artifacts/$target-" -print_final_stats=0 "$corpus" \
        > "$OUT/$target.log" 2>&1; then
        echo "FAILED: $target (see $OUT/$target.log and $OUT/artifacts/)"
        tail -30 "$OUT/$target.log"
        status=1
    else
        grep -E "^#[0-9]+.*(DONE|pulse)" "$OUT/$target.log" | tail -1 || true
    fi
done
exit $status
