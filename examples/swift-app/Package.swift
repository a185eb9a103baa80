// swift-tools-version:6.0
// A small app that uses ConsentKit the way its README (bindings/swift/README.md, "Installing") tells a user to:
// one package dependency and the product "ConsentKit". It lives outside the library's own build; ../../test.sh
// builds and runs it (examples/swift-app/test.sh).
import Foundation
import PackageDescription

// An app adds ConsentKit by URL; its package identity is then the repository's name:
//     .package(url: "https://github.com/<org>/consentkit", from: "0.1.0")
//     .product(name: "ConsentKit", package: "consentkit")
// This example builds against the checkout it lives in instead (a path dependency), whose identity is the
// checkout folder's name, whatever it is called.
let checkout = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "SwiftApp",
    platforms: [.macOS(.v13), .iOS(.v16)],
    dependencies: [
        .package(path: checkout.path),
    ],
    targets: [
        .executableTarget(
            name: "SwiftApp",
            dependencies: [.product(name: "ConsentKit", package: checkout.lastPathComponent.lowercased())],
            path: "Sources/SwiftApp"
        ),
    ]
)
