// swift-tools-version:6.0
import Foundation
import PackageDescription

#if arch(x86_64)
// BLAKE3's eight-lane kernel needs AVX2 code generation, which Swift enables only for a whole module; AuditCrypto
// calls into that module only after checking that the CPU has AVX2.
let avx2: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2"])]
#else
let avx2: [SwiftSetting] = []
#endif
#if os(Linux)
// A release `audit` carries the Swift runtime and Foundation inside it: resolving their symbols at every start took
// most of a short run's time (a CI gate starts `audit` once per model).
let staticRuntime: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
#else
let staticRuntime: [LinkerSetting] = []
#endif
// The PostgreSQL ledger backend brings postgres-nio and its TLS stack (two BoringSSL builds); AUDIT_WITHOUT_POSTGRES=1
// builds `audit` without it, with SQLite ledgers only.
let withPostgres = ProcessInfo.processInfo.environment["AUDIT_WITHOUT_POSTGRES"] == nil

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
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ] + (withPostgres ? [.package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2")] : []),
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
        // The audit ledger: decisions recorded in a hash chain, on SQLite (GRDB) or PostgreSQL (postgres-nio).
        // Only the `audit` executable depends on it, so the library stays free of database code.
        .target(
            name: "AuditLedger",
            dependencies: ["ModelAudit", "AuditCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .executableTarget(
            name: "audit",
            dependencies: [
                "ModelAudit",
                "AuditCrypto",
                "AuditLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + (withPostgres ? ["AuditLedgerPostgres"] : []),
            linkerSettings: staticRuntime
        ),
        .testTarget(name: "AuditCryptoTests", dependencies: ["AuditCrypto"]),
        .testTarget(name: "ModelAuditTests", dependencies: ["ModelAudit", "AuditCrypto"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ModelAudit", "AuditCrypto"]),
        .testTarget(
            name: "AuditLedgerTests",
            dependencies: ["AuditLedger", "ModelAudit", "AuditCrypto"] + (withPostgres ? ["AuditLedgerPostgres"] : [])
        ),
    ]
)

if withPostgres {
    package.targets.append(.target(
        name: "AuditLedgerPostgres",
        dependencies: ["AuditLedger", "ModelAudit", .product(name: "PostgresNIO", package: "postgres-nio")]
    ))
}
