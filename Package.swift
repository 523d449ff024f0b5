// swift-tools-version:6.0
import PackageDescription

#if arch(x86_64)
// BLAKE3's eight-lane kernel needs AVX2 code generation, which Swift enables only for a whole module; AuditCrypto
// calls into that module only after checking that the CPU has AVX2.
let avx2: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2"])]
#else
let avx2: [SwiftSetting] = []
#endif

let package = Package(
    name: "model-audit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "audit", targets: ["audit"]),
        .library(name: "ModelAudit", targets: ["ModelAudit"]),
        .library(name: "AuditCrypto", targets: ["AuditCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .target(name: "BLAKE3AVX2", swiftSettings: avx2),
        .target(name: "AuditCrypto", dependencies: ["COpenSSL", "BLAKE3AVX2"]),
        .target(
            name: "ModelAudit",
            dependencies: ["AuditCrypto", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "audit",
            dependencies: [
                "ModelAudit",
                "AuditCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "AuditCryptoTests", dependencies: ["AuditCrypto"]),
        .testTarget(name: "ModelAuditTests", dependencies: ["ModelAudit", "AuditCrypto"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ModelAudit", "AuditCrypto"]),
    ]
)
