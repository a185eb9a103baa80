// swift-tools-version:6.0
// ConsentKit for Swift: the package iOS apps add by this repository's URL (Xcode: File > Add Package Dependencies,
// or `.package(url: "https://github.com/<org>/consentkit", from: "<version>")` with the product "ConsentKit"), and
// the package the Linux host tests build. One manifest, so the package users add is the package the tests prove.
//
// Where the Rust core comes from (`coreSource` below, docs/adr/0008-swift-store-name-and-package.md):
//   - Apple platforms, releases: the XCFramework attached to the GitHub release, by URL + checksum
//     (`releaseURL` / `releaseChecksum`, written by `ios/build-xcframework.sh --release <version> <url>`).
//   - Apple platforms, development: the XCFramework that `ios/build-xcframework.sh` writes to
//     ios/ConsentKitFFI.xcframework. Used whenever that folder exists (it is never committed, so a checkout by URL
//     never has it), or when CONSENTKIT_CORE=local is set; CONSENTKIT_CORE=release forces the release binary.
//   - Linux (the host tests, the benchmark, examples/swift-app): the host's libconsentkit.so, as a system library;
//     build with `-Xlinker -L<target>/debug` and run with LD_LIBRARY_PATH (bindings/swift/test.sh does both).
//
// The generated Swift bindings (bindings/swift/Sources/ConsentKitGenerated) and the generated C header are written
// by bindings/swift/generate.sh (Linux) or ios/build-xcframework.sh (Mac); they are committed only on release tags
// (ios/README.md, "Releasing"), never on the main branch.
import Foundation
import PackageDescription

/// Where the Rust core comes from.
enum CoreSource {
    /// The host's libconsentkit (Linux host tests).
    case hostLibrary
    /// ios/ConsentKitFFI.xcframework, built locally by ios/build-xcframework.sh.
    case localXCFramework
    /// The release's XCFramework, downloaded by SwiftPM and checked against its checksum.
    case release(url: String, checksum: String)
}

// Set by ios/build-xcframework.sh --release; do not edit by hand.
let releaseURL = "https://github.com/consentkit/consentkit/releases/download/0.1.0/ConsentKitFFI.xcframework.zip"
let releaseChecksum = "0000000000000000000000000000000000000000000000000000000000000000"

let localXCFramework = "ios/ConsentKitFFI.xcframework"

#if os(Linux)
let coreSource = CoreSource.hostLibrary
#else
let coreSource: CoreSource = {
    switch Context.environment["CONSENTKIT_CORE"] {
    case "local": return .localXCFramework
    case "release": return .release(url: releaseURL, checksum: releaseChecksum)
    default:
        let built = Context.packageDirectory + "/" + localXCFramework + "/Info.plist"
        return FileManager.default.fileExists(atPath: built)
            ? .localXCFramework : .release(url: releaseURL, checksum: releaseChecksum)
    }
}()
#endif

/// The target that provides the C module `consentkitFFI` (the name the generated Swift imports).
let coreTarget: Target = switch coreSource {
case .hostLibrary:
    // The generated header and a hand-written modulemap that links libconsentkit.
    .systemLibrary(name: "ConsentKitFFI", path: "bindings/swift/Sources/ConsentKitFFI")
case .localXCFramework:
    .binaryTarget(name: "ConsentKitFFI", path: localXCFramework)
case let .release(url, checksum):
    .binaryTarget(name: "ConsentKitFFI", url: url, checksum: checksum)
}

var targets: [Target] = [
    coreTarget,
    // The UniFFI-generated Swift. Only the facade (and the tests) import it.
    .target(name: "ConsentKitGenerated", dependencies: ["ConsentKitFFI"], path: "bindings/swift/Sources/ConsentKitGenerated"),
    // Lock-free counters for the access batcher (C11 atomics, header only).
    .target(name: "ConsentKitAtomics", path: "bindings/swift/Sources/ConsentKitAtomics"),
    // The public, hand-written Swift API.
    .target(
        name: "ConsentKit",
        dependencies: ["ConsentKitGenerated", "ConsentKitAtomics"]
            + (coreSource.isApple ? ["ConsentKitPrivacy"] : ["ConsentKitLinuxShims"]),
        path: "bindings/swift/Sources/ConsentKit"
    ),
]

if coreSource.isApple {
    // The SDK's privacy manifest. A static library cannot carry one, so it ships in this target's resource bundle,
    // which Xcode's privacy report picks up.
    targets.append(.target(
        name: "ConsentKitPrivacy",
        path: "ios/Sources/ConsentKitPrivacy",
        resources: [.copy("PrivacyInfo.xcprivacy")]
    ))
} else {
    targets += [
        // A symbol Debian's libswiftObservation needs and lacks (see its source). Linux only.
        .target(name: "ConsentKitLinuxShims", path: "bindings/swift/Sources/ConsentKitLinuxShims"),
        // Release-build micro-benchmark: `swift run -c release ConsentKitBench` (bindings/swift/bench.sh). Not a test.
        .executableTarget(
            name: "ConsentKitBench",
            dependencies: ["ConsentKit", "ConsentKitGenerated"],
            path: "bindings/swift/Sources/ConsentKitBench"
        ),
        // XCTest suites (bindings/swift/test.sh).
        .testTarget(
            name: "ConsentKitTests",
            dependencies: ["ConsentKit", "ConsentKitGenerated"],
            path: "bindings/swift/Tests/ConsentKitTests"
        ),
    ]
}

extension CoreSource {
    var isApple: Bool {
        if case .hostLibrary = self { return false }
        return true
    }
}

let package = Package(
    name: "ConsentKit",
    // iOS 16: `Duration` (CollectResult.retryAfter). ObservableObject (ConsentObject) serves iOS 16, @Observable
    // (ConsentModel) iOS 17 and later.
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "ConsentKit", targets: ["ConsentKit"]),
    ],
    targets: targets
)
