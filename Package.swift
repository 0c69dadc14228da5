// swift-tools-version:6.0
import PackageDescription

/// One set of compiler settings for every Swift target (hummingbird's habit).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "simpul",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "simpul", targets: ["simpul"]),
        .executable(name: "simpul-bench", targets: ["simpul-bench"]),
        .library(name: "SimpulLog", targets: ["SimpulLog"]),
        .library(name: "SimpulMapping", targets: ["SimpulMapping"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian, never re-exported by the Swift modules.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CNATS", pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]),

        // The durable append-only log: Foundation and Glibc only.
        .target(name: "SimpulLog", swiftSettings: swiftSettings),
        // The log on a NATS JetStream cluster through libnats (issue 8); knows no bus, no HTTP.
        .target(name: "SimpulJetStream", dependencies: ["SimpulLog", "CNATS"], swiftSettings: swiftSettings),
        // Adapters, declarative mapping, canonical model, validators: no HTTP, no log.
        .target(name: "SimpulMapping", swiftSettings: swiftSettings),
        // Topics, the publish path, idempotency, quarantine, tokens, subscriptions and the
        // delivery engine (outbound HTTP through SimpulDelivery); no HTTP server.
        .target(
            name: "SimpulBus",
            dependencies: ["SimpulLog", "SimpulMapping", "SimpulDelivery", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // Outbound webhooks: signing, retry policy, SSRF guard, the libcurl client; no bus, no log.
        .target(name: "SimpulDelivery", dependencies: ["CCurl", "COpenSSL"], swiftSettings: swiftSettings),
        // HTTP server on SwiftNIO: limits, router, graceful shutdown; knows no bus, no log.
        .target(
            name: "SimpulServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // The HTTP API: routes binding SimpulServer to SimpulBus, configuration, tokens.
        .target(
            name: "SimpulAPI",
            dependencies: ["SimpulBus", "SimpulDelivery", "SimpulServer", "SimpulJetStream",
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "simpul",
            dependencies: [
                "SimpulLog", "SimpulMapping", "SimpulBus", "SimpulServer", "SimpulAPI", "SimpulDelivery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "simpul-bench",
            dependencies: ["SimpulLog", "SimpulMapping", "SimpulBus", "SimpulServer", "SimpulAPI", "SimpulDelivery", "CCurl",
                           // The peers bench publishes to JetStream through the store and libnats directly.
                           "SimpulJetStream", "CNATS",
                           // The deliver bench's receiver is the tests' DeliverySink.
                           "SimpulTestSupport",
                           .product(name: "Logging", package: "swift-log"), .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings),
        // The HTTP API under libFuzzer (scripts/fuzz.sh builds it with --sanitize fuzzer);
        // a plain build is the tool that replays fuzz inputs and kept findings.
        .executableTarget(
            name: "simpul-fuzz-http",
            dependencies: ["SimpulAPI", "SimpulBus", "SimpulDelivery", "SimpulMapping", "SimpulServer", "SimpulTestSupport",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // Appends and prints each acknowledged offset; the crash tests SIGKILL it.
        .executableTarget(
            name: "simpul-crash-workload",
            dependencies: ["SimpulLog"],
            swiftSettings: swiftSettings),

        // Test doubles: simulated storage with crash modes, manual clock, the delivery sink (NIO).
        .target(
            name: "SimpulTestSupport",
            dependencies: [
                "SimpulLog", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),

        .testTarget(
            name: "SimpulLogTests", dependencies: ["SimpulLog", "SimpulTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimpulJetStreamTests",
            // SimpulAPI and SimpulDelivery: the bus served over HTTP with its topics on JetStream.
            dependencies: ["SimpulJetStream", "SimpulLog", "SimpulTestSupport", "SimpulAPI", "SimpulBus", "SimpulDelivery",
                           "SimpulServer", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimpulMappingTests", dependencies: ["SimpulMapping", "SimpulTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimpulDeliveryTests", dependencies: ["SimpulDelivery", "SimpulTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimpulBusTests", dependencies: ["SimpulBus", "SimpulDelivery", "SimpulTestSupport",
                                                   .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimpulServerTests",
            dependencies: [
                "SimpulServer", "SimpulTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SimpulAPITests", dependencies: ["SimpulAPI", "SimpulDelivery", "SimpulTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CLITests",
            dependencies: ["SimpulLog", "SimpulMapping", "SimpulServer", "SimpulDelivery", "SimpulTestSupport",
                           .product(name: "Logging", package: "swift-log"), .product(name: "NIOHTTP1", package: "swift-nio")],
            exclude: ["Support/oracle_receiver.py"],
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
