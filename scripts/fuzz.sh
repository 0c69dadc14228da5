#!/bin/sh
# Fuzzes with libFuzzer (-sanitize=fuzzer,address) and runs each target briefly. Not part
# of `swift build`: the entries live in Tests/Fuzz (decoders) and Sources/simpul-fuzz-http.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default 20 s; targets json ndjson csv xml geojson mapping http)
#
# - json … mapping: every SimpulMapping decoder and the mapping engine, built with swiftc
#   from the SimpulMapping sources into .build-fuzz/simpul-fuzz.
# - http: raw bytes on a connection to the whole HTTP API (HTTPServer + APIRouter over a Bus
#   on a scratch directory); a 5xx, a 4xx without the JSON error body, a malformed answer or
#   an answer slower than 1 s is a finding. Built with SwiftPM (`--sanitize fuzzer`) into
#   .build-fuzz-http; the first build takes a few minutes (swift-nio with ASan).
#
# Leak detection is off: globals initialised once (the compiled adapter, the server) read as leaks.
# A crash leaves its input in .build-fuzz/artifacts/; replay it with
#   SIMPUL_FUZZ_TARGET=csv .build-fuzz/simpul-fuzz .build-fuzz/artifacts/crash-…
#   swift run simpul-fuzz-http .build-fuzz/artifacts/http-crash-…      (prints the answers and the broken rule)
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-20}"
[ $# -gt 0 ] && shift
TARGETS="${*:-json ndjson csv xml geojson mapping http}"
OUT=.build-fuzz
HTTP_SCRATCH=.build-fuzz-http
mkdir -p "$OUT/artifacts"

build_decoders() {
    SOURCES=$(find Sources/SimpulMapping -name '*.swift' | sort)
    if [ ! -x "$OUT/simpul-fuzz" ] || [ -n "$(find Sources/SimpulMapping Tests/Fuzz -newer "$OUT/simpul-fuzz" -name '*.swift' | head -1)" ]; then
        echo "building $OUT/simpul-fuzz"
        swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -module-name SimpulMapping \
            -o "$OUT/simpul-fuzz" $SOURCES Tests/Fuzz/FuzzMain.swift > "$OUT/build.log" 2>&1 \
            || { grep -v "Cannot export local symbol" "$OUT/build.log"; exit 1; }
    fi
}

build_http() {
    echo "building $HTTP_SCRATCH/release/simpul-fuzz-http"
    # --sanitize fuzzer links libFuzzer (and keeps main); -Xswiftc -sanitize=fuzzer instruments the Swift code.
    swift build -c release --scratch-path "$HTTP_SCRATCH" --product simpul-fuzz-http --sanitize fuzzer --sanitize address \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DSIMPUL_LIBFUZZER > "$OUT/build-http.log" 2>&1 \
        || { grep -v "Cannot export local symbol" "$OUT/build-http.log" | tail -40; exit 1; }
}

case " $TARGETS " in *" http "*) build_http ;; esac
case " $TARGETS " in *" json "*|*" ndjson "*|*" csv "*|*" xml "*|*" geojson "*|*" mapping "*) build_decoders ;; esac

status=0
for target in $TARGETS; do
    corpus="$OUT/corpus-$target"
    mkdir -p "$corpus"
    cp Tests/Fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    echo "fuzzing $target for ${SECONDS_PER_TARGET}s"
    if [ "$target" = http ]; then
        # -timeout: libFuzzer's own bound; the harness already calls an answer over 1 s a hang.
        set -- "$HTTP_SCRATCH/release/simpul-fuzz-http" -dict=Tests/Fuzz/http.dict -timeout=5
    else
        set -- env SIMPUL_FUZZ_TARGET="$target" "$OUT/simpul-fuzz" -timeout=10
    fi
    # The Swift backtracer would read the aborting process's memory under ASan and report itself.
    if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$@" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
        -rss_limit_mb=2048 -detect_leaks=0 -artifact_prefix="$OUT/artifacts/$target-" -print_final_stats=0 "$corpus" \
        > "$OUT/$target.log" 2>&1; then
        echo "FAILED: $target (see $OUT/$target.log and $OUT/artifacts/)"
        tail -30 "$OUT/$target.log"
        status=1
    else
        grep -E "^#[0-9]+.*(DONE|pulse)" "$OUT/$target.log" | tail -1 || true
    fi
done
exit $status
