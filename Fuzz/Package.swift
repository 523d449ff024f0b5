// swift-tools-version:6.0
// libFuzzer targets for every parser of untrusted input; see README.md. Build with the fuzzer and address
// sanitizers (`make fuzz` in the repository root does):
//   swift build -c release -Xswiftc -sanitize=fuzzer,address
import PackageDescription

let parsers = [
    "FuzzStrictJSON", "FuzzEnvelope", "FuzzManifest", "FuzzPolicy",
    "FuzzScreeningCSV", "FuzzCustodyJSONL", "FuzzTrustIndex", "FuzzPEMKey", "FuzzOMSBundle",
]

let package = Package(
    name: "model-audit-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "model-audit", path: "..")],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "ModelAudit", package: "model-audit")]
        ),
    ] + parsers.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: "ModelAudit", package: "model-audit"),
                .product(name: "AuditCrypto", package: "model-audit"),
            ]
        )
    }
)
