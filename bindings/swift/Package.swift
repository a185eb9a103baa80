// swift-tools-version:6.0
// The ConsentKit Swift package for the Linux host tests and the benchmark. Apps on iOS use ../../ios/Package.swift,
// which builds the same Swift sources against the XCFramework instead of the host's libconsentkit.so.
//
// Generated code (never committed; bindings/swift/generate.sh writes it from the built library):
//   Sources/ConsentKitFFI/consentkitFFI.h        the C header of the UniFFI scaffolding
//   Sources/ConsentKitGenerated/consentkit.swift the generated Swift bindings (internal to the facade)
//
// Link against the host cdylib with `-Xlinker -L<repo>/target/debug` and run with LD_LIBRARY_PATH set
// (see test.sh and bench.sh).
import PackageDescription

let package = Package(
    name: "ConsentKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "ConsentKit", targets: ["ConsentKit"]),
    ],
    targets: [
        // C module `consentkitFFI` (the name the generated Swift imports): the generated header, and a
        // hand-written modulemap that also links libconsentkit.
        .systemLibrary(name: "ConsentKitFFI", path: "Sources/ConsentKitFFI"),
        // The generated Swift bindings. Only the facade (and the tests) import this module.
        .target(
            name: "ConsentKitGenerated",
            dependencies: ["ConsentKitFFI"],
            path: "Sources/ConsentKitGenerated"
        ),
        // Lock-free counters for the access batcher (C11 atomics, header only).
        .target(name: "ConsentKitAtomics", path: "Sources/ConsentKitAtomics"),
        // The public, hand-written Swift API.
        .target(
            name: "ConsentKit",
            dependencies: ["ConsentKitGenerated", "ConsentKitAtomics"],
            path: "Sources/ConsentKit"
        ),
        // Release-build micro-benchmark: `swift run -c release ConsentKitBench` (see bench.sh). Not a test.
        .executableTarget(
            name: "ConsentKitBench",
            dependencies: ["ConsentKit", "ConsentKitGenerated"],
            path: "Sources/ConsentKitBench"
        ),
        .testTarget(
            name: "ConsentKitTests",
            dependencies: ["ConsentKit", "ConsentKitGenerated"],
            path: "Tests/ConsentKitTests"
        ),
    ]
)
