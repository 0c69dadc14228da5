#!/usr/bin/env python3
"""Server CPU per request, split by where it goes, from a `perf record -g` of simpul-bench.

    SIMPUL_BENCH_CASE=single SIMPUL_BENCH_SECONDS=14 .build/release/simpul-bench ingest &
    perf record -F 1999 -g -p PID -o single.data -- sleep 10     # PID is printed first
    perf script -i single.data -F comm,tid,ip,sym > single.script
    bench/perf-breakdown.py single.script 79                      # 79: the µs of server CPU per record it printed

Each sample goes to the first category whose marker appears in its call chain, leaf first
(so SHA-256 inside authentication counts as authentication). glibc has no frame pointers:
malloc and free land in "other (thread)".
"""
import collections
import sys

MARKERS = [
    ("Authentication", "auth (token SHA-256, compare)"),
    ("SHA256", "SHA-256 (event data hash)"), ("Digest", "SHA-256 (event data hash)"),
    ("SchemaValidator", "schema validation"), ("SchemaEvaluator", "schema validation"),
    ("JSONReader", "JSON parse"),
    ("EventCodec", "event encode (CloudEvent JSON)"),
    ("JSONWriter", "JSON write (response, event data)"), ("PublishResultV4body", "JSON write (response, event data)"),
    ("Timestamp", "timestamp formatting"),
    ("IdempotencyStore", "idempotency index"),
    ("KeyGate", "key gate"),
    ("BusStats", "stats"),
    ("CRC32C", "log writer: CRC-32C"),
    ("fdatasync", "log writer: fdatasync"),
    ("PartitionWriter", "log writer: other"),
    ("AppendQueue", "log append queue"),
    ("9PartitionC", "log append (caller side)"),
    ("RequestTarget", "router, request target"), ("Router", "router, request target"), ("RoutePattern", "router, request target"),
    ("CanonicalEventRoutes", "route: other"), ("PublishRoutes", "route: other"),
    ("publishCanonical", "bus: other"), ("Bus0B0C5check", "bus: other"), ("appendNew", "bus: other"),
    ("HTTPConnectionHandler", "server: connection handler"), ("RequestClockHandler", "server: connection handler"),
    ("llhttp", "NIO HTTP parse/encode"), ("NIOHTTP1", "NIO HTTP parse/encode"),
    ("swift_job_run", "concurrency: task/continuation overhead"),
    ("NIOPosix", "NIO event loop + socket I/O"), ("NIOCore", "NIO event loop + socket I/O"),
]


def main() -> None:
    path, micros = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 100.0
    counts: collections.Counter = collections.Counter()
    comm, frames = None, []

    def flush() -> None:
        if not frames:
            return
        for frame in frames:
            for marker, category in MARKERS:
                if marker in frame:
                    counts[category] += 1
                    return
        counts["other (%s)" % comm] += 1

    for line in open(path, errors="replace"):
        if not line.strip():
            flush()
            frames.clear()
        elif not line[0].isspace():
            comm = line.split()[0]
        else:
            parts = line.split(None, 1)
            frames.append(parts[1].strip() if len(parts) > 1 else "")
    flush()
    total = sum(counts.values())
    for category, count in counts.most_common():
        print("%5.1f%%  %6.1f µs  %s" % (100.0 * count / total, micros * count / total, category))


if __name__ == "__main__":
    main()
