import Foundation
import Testing

/// `audit sign --key pkcs11:…` with keys that never leave a SoftHSM2 token, through OpenSSL's pkcs11 engine.
///
/// Needs Debian's `softhsm2`, `opensc` (pkcs11-tool) and `libengine-pkcs11-openssl`, which `.ci/run` installs; when
/// any is missing the tests say so and record an issue only under `AUDIT_REQUIRE_PKCS11=1` (as CI sets).
@Suite("PKCS#11 keys (SoftHSM2)", .serialized)
struct PKCS11EndToEndTests {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    static let engine = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so"
    static let pin = "4321"

    static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var available: Bool {
        let ok = tool("softhsm2-util") != nil && tool("pkcs11-tool") != nil
            && FileManager.default.fileExists(atPath: module)
            && (FileManager.default.fileExists(atPath: engine)
                || FileManager.default.fileExists(atPath: "/usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so"))
        if !ok {
            print("PKCS#11 tests SKIPPED: install softhsm2, opensc and libengine-pkcs11-openssl to run them")
            if ProcessInfo.processInfo.environment["AUDIT_REQUIRE_PKCS11"] == "1" {
                Issue.record("AUDIT_REQUIRE_PKCS11=1 but SoftHSM2 / pkcs11-tool / the pkcs11 engine are missing")
            }
        }
        return ok
    }

    /// Runs a helper tool, failing the test when it fails.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(tool) \(arguments): \(text)")
        return text
    }

    /// A workspace with its own token ("audit-test") holding a P-256 and an RSA-3072 key, their public halves
    /// exported as PEM and listed in `trust/` as the example manifest's developer.
    static func setUp() throws -> (Workspace, [String: String]) {
        let ws = try Workspace()
        try FileManager.default.createDirectory(atPath: ws.path("tokens"), withIntermediateDirectories: true)
        try ws.write("softhsm2.conf", "directories.tokendir = \(ws.path("tokens"))\nobjectstore.backend = file\n")
        let environment = ["SOFTHSM2_CONF": ws.path("softhsm2.conf")]
        let softhsm = try #require(tool("softhsm2-util"))
        let pkcs11 = try #require(tool("pkcs11-tool"))
        try run(softhsm, ["--init-token", "--free", "--label", "audit-test", "--pin", pin, "--so-pin", "87654321"],
            environment: environment)
        #expect(try ws.run(["trust", "init", "--trust", "trust"]).exitCode == 0)
        for (label, id, type) in [("p256", "01", "EC:prime256v1"), ("rsa", "02", "rsa:3072")] {
            let login = ["--module", module, "--login", "--pin", pin, "--token-label", "audit-test"]
            try run(pkcs11, login + ["--keypairgen", "--key-type", type, "--label", label, "--id", id],
                environment: environment)
            try run(pkcs11, login + ["--read-object", "--type", "pubkey", "--id", id, "-o", ws.path("\(label).der")],
                environment: environment)
            try run("/usr/bin/openssl", ["pkey", "-pubin", "-inform", "DER", "-in", ws.path("\(label).der"),
                "-out", ws.path("\(label).pub")], environment: environment)
            var add = ["trust", "add", "\(label).pub", "--owner", "Acme AI, Inc.", "--role", "developer",
                "--trust", "trust"]
            if label == "rsa" { add += ["--scheme", "rsa-pss-sha256"] }
            let added = try ws.run(add)
            #expect(added.exitCode == 0, "\(added)")
        }
        try ws.write("payload.json", Workspace.exampleManifest)
        return (ws, environment)
    }

    @Test("P-256 and RSA keys in the token sign manifests that verify against their exported public keys")
    func signsWithTokenKeys() throws {
        guard Self.available else { return }
        let (ws, environment) = try Self.setUp()
        for (label, extra) in [("p256", [String]()), ("rsa", ["--scheme", "rsa-pss-sha256"])] {
            let signed = try ws.run(
                ["sign", "payload.json", "--key", "pkcs11:token=audit-test;object=\(label)", "--passphrase-env", "PIN",
                 "--pkcs11-module", Self.module, "-o", "\(label).json"] + extra,
                environment: environment.merging(["PIN": Self.pin]) { $1 })
            #expect(signed.exitCode == 0, "\(label): \(signed)")
            let verified = try ws.run(["verify", "\(label).json", "--trust", "trust"])
            #expect(verified.exitCode == 0, "\(label): \(verified)")
        }
    }

    @Test("a wrong PIN, a missing object or a missing module is one clear error, exit 2")
    func refusals() throws {
        guard Self.available else { return }
        let (ws, environment) = try Self.setUp()
        let cases: [(uri: String, pin: String, module: String, mentions: String)] = [
            ("pkcs11:token=audit-test;object=p256", "0000", Self.module, "no private key at"),
            ("pkcs11:token=audit-test;object=nothing", Self.pin, Self.module, "no private key at"),
            ("pkcs11:token=audit-test;object=p256", Self.pin, ws.path("missing.so"), "does not exist"),
        ]
        for item in cases {
            let result = try ws.run(
                ["sign", "payload.json", "--key", item.uri, "--passphrase-env", "PIN", "--pkcs11-module", item.module,
                 "-o", "x.json"],
                environment: environment.merging(["PIN": item.pin]) { $1 })
            #expect(result.exitCode == 2, "\(item.uri): \(result)")
            #expect(result.stderr.hasPrefix("audit: error: PKCS#11 key: "), "\(result)")
            #expect(result.stderr.contains(item.mentions), "\(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "more than one line: \(result)")
            #expect(!result.stderr.contains(item.pin) || item.pin == Self.pin, "the PIN was printed: \(result)")
            #expect(!FileManager.default.fileExists(atPath: ws.path("x.json")))
        }
    }
}
