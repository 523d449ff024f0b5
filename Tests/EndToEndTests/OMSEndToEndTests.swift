import Foundation
import Testing

/// OpenSSF model signing through the real binary: bundles made by model-signing 1.1.1 verify, changes fail with
/// exit 1 naming the file, unusable bundles are exit 2 naming the member, and `audit sign --oms` round-trips — also
/// through the reference verifier when it is installed.
@Suite("audit verify/report/sign with OMS bundles")
struct OMSEndToEndTests {
    static let fixtures = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures/oms")

    /// A workspace holding a copy of the fixture model, keys and bundles.
    static func workspace() throws -> Workspace {
        let ws = try Workspace()
        for item in ["model", "keys", "bundles"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(item), to: ws.url.appendingPathComponent(item))
        }
        return ws
    }

    @Test(
        "bundles signed by model_signing verify with --key",
        arguments: [("key-p256", "p256"), ("key-p384", "p384"), ("key-p521", "p521"), ("ignore-paths", "p256")])
    func referenceBundles(bundle: String, key: String) throws {
        let ws = try Self.workspace()
        let result = try ws.run(
            ["verify", "bundles/\(bundle).sig", "--model-dir", "model", "--key", "keys/\(key).pub"],
            environment: ["COLUMNS": "120"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("OMS v1.0 statement for \"model\""))
        #expect(result.stdout.contains("verified by sha256:"))
    }

    @Test("a changed and an added file → exit 1, each named")
    func changedModel() throws {
        let ws = try Self.workspace()
        try ws.write("model/config.json", "{\"layers\": 3}\n")
        try ws.write("model/extra.bin", "")
        let result = try ws.run(["verify", "bundles/key-p256.sig", "--model-dir", "model", "--key", "keys/p256.pub"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("config.json: digest mismatch"))
        #expect(result.stdout.contains("extra.bin: not listed in the manifest"))
    }

    @Test("the wrong key → exit 1; no key at all → exit 1 saying how to give one")
    func wrongKey() throws {
        let ws = try Self.workspace()
        let wrong = try ws.run(["verify", "bundles/key-p256.sig", "--model-dir", "model", "--key", "keys/p384.pub"])
        #expect(wrong.exitCode == 1, "\(wrong)")
        try ws.keygen("other", algorithm: "ecdsa-p256")
        try ws.makeTrustStore([("other", "")])
        let none = try ws.run(["verify", "bundles/key-p256.sig", "--trust", "trust"])
        #expect(none.exitCode == 1, "\(none)")
        #expect(none.stdout.contains("--key PUB.pem"))
    }

    @Test(
        "unusable bundles → exit 2 naming the JSON pointer",
        arguments: [
            ("{\"mediaType\": \"application/vnd.example+json\", \"verificationMaterial\": {}}", "/mediaType"),
            (
                "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": "
                    + "{\"publicKey\": {\"hint\": \"ab\"}}}", "/dsseEnvelope"
            ),
            ("{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"", "unexpected end of JSON input"),
        ])
    func unusableBundles(text: String, expected: String) throws {
        let ws = try Self.workspace()
        try ws.write("bad.sig", text)
        let result = try ws.run(["verify", "bad.sig", "--key", "keys/p256.pub"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains(expected), "\(result)")
    }

    @Test("a policy's rules fail as not declared, with a remediation to add a provenance manifest")
    func policyNotDeclared() throws {
        let ws = try Self.workspace()
        let policy = AuditBinary.packageRoot.appendingPathComponent("policies/enterprise-default.yaml").path
        let result = try ws.run([
            "verify", "bundles/key-p256.sig", "--model-dir", "model", "--key", "keys/p256.pub", "--policy", policy,
        ])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("3 pass"), "the signature, statement and files still pass: \(result)")
        #expect(result.stdout.contains("is not declared"))
        #expect(result.stdout.contains("Add a provenance manifest for this model"))
    }

    @Test("audit sign --oms → verify, in file and shard mode and for one file; our envelopes verify with --key too")
    func signRoundTrip() throws {
        let ws = try Self.workspace()
        try ws.keygen("release", algorithm: "ecdsa-p384")
        try FileManager.default.removeItem(at: ws.url.appendingPathComponent("model/empty.txt"))
        for (output, extra, target) in [
            ("files.sig", [String](), "model"), ("shards.sig", ["--shard-size", "1000"], "model"),
            ("single.sig", [], "model/weights.bin"),
        ] {
            let signed = try ws.run(
                ["sign", "--oms", "--model-dir", target, "--key", "release.key", "-o", output] + extra)
            #expect(signed.exitCode == 0, "\(signed)")
            let verified = try ws.run(["verify", output, "--model-dir", target, "--key", "release.pub"])
            #expect(verified.exitCode == 0, "\(output): \(verified)")
        }
        try ws.keygen("dev")
        try ws.sign("dev")
        let own = try ws.run(["verify", "env.json", "--key", "dev.pub"])
        #expect(own.exitCode == 0, "\(own)")
    }

    @Test("audit sign --oms refuses bad options with exit 64")
    func signUsage() throws {
        let ws = try Self.workspace()
        try ws.keygen("release", algorithm: "ecdsa-p256")
        let noModel = try ws.run(["sign", "--oms", "--key", "release.key", "-o", "x.sig"])
        #expect(noModel.exitCode == 64, "\(noModel)")
        let zero = try ws.run([
            "sign", "--oms", "--model-dir", "model", "--key", "release.key", "-o", "x.sig", "--shard-size", "0",
        ])
        #expect(zero.exitCode == 64, "\(zero)")
        let hash = try ws.run([
            "sign", "--oms", "--model-dir", "model", "--key", "release.key", "-o", "x.sig", "--hash", "md5",
        ])
        #expect(hash.exitCode == 64, "\(hash)")
        try ws.keygen("ed", algorithm: "ed25519")
        let ed = try ws.run(["sign", "--oms", "--model-dir", "model", "--key", "ed.key", "-o", "x.sig"])
        #expect(ed.exitCode == 2, "\(ed)")
        #expect(ed.stderr.contains("ECDSA P-256, P-384 or P-521"))
    }

    @Test("audit report takes a mix of our envelopes and OMS bundles")
    func mixedReport() throws {
        let ws = try Self.workspace()
        try ws.keygen("dev")
        try ws.write("fleet/.keep", "")
        try ws.sign("dev", into: "fleet/a.json")
        try FileManager.default.copyItem(
            at: ws.url.appendingPathComponent("bundles/key-p256.sig"), to: ws.url.appendingPathComponent("fleet/b.sig"))
        let result = try ws.run(["report", "fleet", "--key", "dev.pub", "--key", "keys/p256.pub", "--format", "json"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("fleet/a.json"))
        #expect(result.stdout.contains("fleet/b.sig"))
    }

    /// Runs the openssl CLI in the workspace; `nil` when it is not installed.
    @discardableResult
    static func openssl(_ arguments: [String], in ws: Workspace) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = ws.url
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A root CA and a code-signing leaf for `release.key` (P-256), made with the openssl CLI.
    static func makeCertificates(_ ws: Workspace) throws {
        try ws.keygen("release", algorithm: "ecdsa-p256")
        try ws.write(
            "ext.cnf",
            "[leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                + "extendedKeyUsage=codeSigning\nsubjectAltName=email:ci@example.com\n")
        let steps: [[String]] = [
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"],
            [
                "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Test Root", "-days", "30", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", "-out", "ca.pem",
            ],
            ["req", "-new", "-key", "release.key", "-subj", "/CN=Release", "-out", "leaf.csr"],
            [
                "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days",
                "10",
                "-extfile", "ext.cnf", "-extensions", "leaf", "-out", "leaf.pem",
            ],
        ]
        for step in steps {
            #expect(try openssl(step, in: ws) == 0, "openssl \(step.joined(separator: " "))")
        }
    }

    @Test(
        "audit sign --oms --certificate → verify with --ca-roots and identity; another key's certificate is refused")
    func signWithCertificate() throws {
        let ws = try Self.workspace()
        try Self.makeCertificates(ws)
        let signed = try ws.run([
            "sign", "--oms", "--model-dir", "model", "--key", "release.key", "--certificate", "leaf.pem", "-o", "c.sig",
        ])
        #expect(signed.exitCode == 0, "\(signed)")
        let verified = try ws.run(
            [
                "verify", "c.sig", "--model-dir", "model", "--ca-roots", "ca.pem", "--certificate-identity",
                "ci@example.com",
            ], environment: ["COLUMNS": "120"])
        #expect(verified.exitCode == 0, "\(verified)")
        #expect(verified.stdout.contains("CN=Release (issued by CN=Test Root)"))
        let wrongIdentity = try ws.run([
            "verify", "c.sig", "--model-dir", "model", "--ca-roots", "ca.pem", "--certificate-identity",
            "x@example.com",
        ])
        #expect(wrongIdentity.exitCode == 1, "\(wrongIdentity)")
        try ws.keygen("other", algorithm: "ecdsa-p256")
        let mismatch = try ws.run([
            "sign", "--oms", "--model-dir", "model", "--key", "other.key", "--certificate", "leaf.pem", "-o", "d.sig",
        ])
        #expect(mismatch.exitCode == 2, "\(mismatch)")
        #expect(mismatch.stderr.contains("its key is not the signing key"))
        let notPEM = try ws.run(["verify", "c.sig", "--model-dir", "model", "--ca-roots", "release.pub"])
        #expect(notPEM.exitCode == 2, "\(notPEM)")
        #expect(notPEM.stderr.contains("release.pub"))
    }

    /// The interpreter that has model-signing 1.1.1 (`MODEL_SIGNING_PYTHON`, default `python3`), when importable.
    static let referencePython: String? = {
        let python = ProcessInfo.processInfo.environment["MODEL_SIGNING_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", "import model_signing, OpenSSL"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? python : nil
    }()

    @Test(
        "they verify ours: model_signing 1.1.1 accepts bundles audit sign --oms made (P-256, P-384, P-521, one file)",
        .enabled(
            if: referencePython != nil,
            "SKIPPED: model_signing not importable: pip install model-signing==1.1.1 pyOpenSSL, MODEL_SIGNING_PYTHON"))
    func referenceVerifiesOurs() throws {
        let python = try #require(Self.referencePython)
        let ws = try Self.workspace()
        for algorithm in ["ecdsa-p256", "ecdsa-p384", "ecdsa-p521"] {
            try ws.keygen(algorithm, algorithm: algorithm)
            for (target, output) in [("model", "\(algorithm).sig"), ("model/weights.bin", "\(algorithm)-single.sig")] {
                let signed = try ws.run([
                    "sign", "--oms", "--model-dir", target, "--key", "\(algorithm).key", "-o", output,
                ])
                #expect(signed.exitCode == 0, "\(signed)")
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [
                    python, "-m", "model_signing", "verify", "key", target, "--signature", output, "--public_key",
                    "\(algorithm).pub",
                ]
                process.currentDirectoryURL = ws.url
                let out = Pipe()
                process.standardOutput = out
                process.standardError = out
                try process.run()
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "model_signing verify \(output): \(text)")
                #expect(text.contains("Verification succeeded"), "\(output): \(text)")
            }
        }
        // Certificate mode: the reference verifier validates our chain to the root it is given.
        try Self.makeCertificates(ws)
        let signed = try ws.run([
            "sign", "--oms", "--model-dir", "model", "--key", "release.key", "--certificate", "leaf.pem", "-o", "c.sig",
        ])
        #expect(signed.exitCode == 0, "\(signed)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            python, "-m", "model_signing", "verify", "certificate", "model", "--signature", "c.sig",
            "--certificate_chain", "ca.pem",
        ]
        process.currentDirectoryURL = ws.url
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && text.contains("Verification succeeded"), "certificate: \(text)")
    }
}
