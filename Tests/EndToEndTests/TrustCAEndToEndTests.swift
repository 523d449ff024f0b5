import Foundation
import Testing

/// A company PKI in the trust store: `audit trust add --ca` and certificates, then `audit report` over a fleet of our
/// envelopes and certificate-signed OMS bundles with nothing but `--trust` — and every bad input refused by name.
@Suite("audit trust with CA roots and certificates")
struct TrustCAEndToEndTests {
    static let pki = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures/pki")
    static let owner = "Fixture PKI Ltd"

    /// The OMS workspace (model, keys, bundles) with an initialised, empty `trust/` store.
    static func setUp() throws -> Workspace {
        let ws = try OMSEndToEndTests.workspace()
        let initialised = try ws.run(["trust", "init", "--trust", "trust"])
        #expect(initialised.exitCode == 0, "\(initialised)")
        return ws
    }

    static func add(_ ws: Workspace, _ file: String, _ extra: [String] = []) throws -> AuditBinary.Result {
        try ws.run(["trust", "add", file, "--owner", owner, "--role", "publisher", "--trust", "trust"] + extra)
    }

    @Test("a fleet of our envelopes, key- and certificate-signed OMS bundles verifies with only --trust")
    func fleet() throws {
        let ws = try Self.setUp()
        try OMSEndToEndTests.makeCertificates(ws)
        try ws.keygen("dev")
        for (file, extra) in [
            ("keys/root-ca.pem", ["--ca"]), ("ca.pem", ["--ca", "--name", "ci-root.pem"]), ("dev.pub", []),
            ("keys/p256.pub", []),
        ] {
            let added = try Self.add(ws, file, extra)
            #expect(added.exitCode == 0, "\(file): \(added)")
        }
        try FileManager.default.createDirectory(
            at: ws.url.appendingPathComponent("fleet"), withIntermediateDirectories: true)
        let signed = try ws.run([
            "sign", "--oms", "--model-dir", "model", "--key", "release.key", "--certificate", "leaf.pem", "-o",
            "fleet/ours-certificate.sig",
        ])
        #expect(signed.exitCode == 0, "\(signed)")
        try ws.sign("dev", into: "fleet/envelope.json")
        for (bundle, name) in [("certificate-chain", "reference-certificate"), ("key-p256", "reference-key")] {
            try FileManager.default.copyItem(
                at: ws.url.appendingPathComponent("bundles/\(bundle).sig"),
                to: ws.url.appendingPathComponent("fleet/\(name).sig"))
        }
        let report = try ws.run(["report", "fleet", "--trust", "trust", "--format", "json"])
        #expect(report.exitCode == 0, "\(report)")
        for name in ["envelope.json", "reference-certificate.sig", "reference-key.sig", "ours-certificate.sig"] {
            #expect(report.stdout.contains("fleet/\(name)"), "\(name)")
        }
        #expect(
            report.stdout.contains("(\(Self.owner), roles publisher: certificate CN=Fixture Release Signing"),
            "\(report.stdout)")
        #expect(report.stdout.contains("under the trusted CA root root-ca.pem"), "\(report.stdout)")
        #expect(report.stdout.contains("under the trusted CA root ci-root.pem"), "\(report.stdout)")

        // The same fleet without the CA roots: the certificate bundles vouch for nothing.
        let removed = try ws.run(["trust", "remove", "root-ca.pem", "--trust", "trust"])
        #expect(removed.exitCode == 0 && removed.stdout.hasPrefix("removed CA root root-ca.pem"), "\(removed)")
        let without = try ws.run(["report", "fleet", "--trust", "trust", "--format", "json"])
        #expect(without.exitCode == 1, "\(without)")
        #expect(without.stdout.contains("certificate not used"), "\(without.stdout)")
    }

    @Test("a revoked CA root stops its certificates verifying, and the finding says why")
    func revokedRoot() throws {
        let ws = try Self.setUp()
        #expect(try Self.add(ws, "keys/root-ca.pem", ["--ca"]).exitCode == 0)
        let verified = try ws.run(["verify", "bundles/certificate-chain.sig", "--model-dir", "model", "--trust", "trust"])
        #expect(verified.exitCode == 0, "\(verified)")
        let revoked = try ws.run(["trust", "revoke", "root-ca.pem", "--note", "compromised", "--trust", "trust"])
        #expect(revoked.exitCode == 0 && revoked.stdout.hasPrefix("revoked CA root root-ca.pem"), "\(revoked)")
        let refused = try ws.run([
            "verify", "bundles/certificate-chain.sig", "--model-dir", "model", "--trust", "trust", "--format", "json",
        ])
        #expect(refused.exitCode == 1, "\(refused)")
        #expect(refused.stdout.contains("but that CA is revoked"), "\(refused)")
    }

    @Test("a bundle whose chain is in the wrong order fails under a trust store root, naming the order")
    func wrongChainOrder() throws {
        let ws = try Self.setUp()
        #expect(try Self.add(ws, "keys/root-ca.pem", ["--ca"]).exitCode == 0)
        let data = try ws.read("bundles/certificate-chain.sig")
        var bundle = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var material = try #require(bundle["verificationMaterial"] as? [String: Any])
        var chain = try #require(material["x509CertificateChain"] as? [String: Any])
        let certificates = try #require(chain["certificates"] as? [Any])
        chain["certificates"] = Array(certificates.reversed())
        material["x509CertificateChain"] = chain
        bundle["verificationMaterial"] = material
        try ws.write("reversed.sig", bytes: try JSONSerialization.data(withJSONObject: bundle))
        let result = try ws.run([
            "verify", "reversed.sig", "--model-dir", "model", "--trust", "trust", "--format", "json",
        ])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("wrong order"), "\(result)")
    }

    @Test("trust list and show print a certificate's subject, issuer, validity and fingerprints")
    func listAndShow() throws {
        let ws = try Self.setUp()
        let root = try Self.add(ws, "keys/root-ca.pem", ["--ca"])
        #expect(root.exitCode == 0 && root.stdout.hasPrefix("added CA root root-ca.pem (sha256:"), "\(root)")
        let leaf = try Self.add(ws, "keys/leaf.pem", ["--name", "release.pem"])
        #expect(leaf.exitCode == 0, "\(leaf)")
        #expect(leaf.stdout.contains("certificate \"CN=Fixture Release Signing,O=Fixture Models\""), "\(leaf)")
        let at = ["--at", "2027-01-15T00:00:00Z"]
        let list = try ws.run(["trust", "list", "--trust", "trust"] + at)
        #expect(list.exitCode == 0, "\(list)")
        #expect(
            list.stdout.contains("release.pem  \"\(Self.owner)\"  publisher  valid  certificate \"CN=Fixture Release"),
            "\(list)")
        #expect(list.stdout.contains("root-ca.pem  \"\(Self.owner)\"  publisher  valid  CA root \"CN=Fixture Root CA"))
        let showRoot = try ws.run(["trust", "show", "root-ca.pem", "--trust", "trust"] + at)
        #expect(showRoot.exitCode == 0, "\(showRoot)")
        for line in [
            "CA root:    sha256:", "subject:    CN=Fixture Root CA,O=Fixture PKI",
            "issuer:     CN=Fixture Root CA,O=Fixture PKI", "valid:      2026-12-01T16:25:51Z to 2036-11-28T16:25:51Z",
            "fingerprint: sha256:", "key id:     sha256:", "status:     valid",
        ] {
            #expect(showRoot.stdout.contains(line), "\(line): \(showRoot)")
        }
        let showLeaf = try ws.run(["trust", "show", "release.pem", "--trust", "trust"] + at)
        for line in [
            "key id:     sha256:", "subject:    CN=Fixture Release Signing,O=Fixture Models",
            "names:      email:release@fixture.example", "issuer:     CN=Fixture Intermediate CA,O=Fixture PKI",
            "valid:      2026-12-01T16:25:52Z to 2032-05-23T16:25:52Z", "fingerprint: sha256:",
        ] {
            #expect(showLeaf.stdout.contains(line), "\(line): \(showLeaf)")
        }
        let later = try ws.run(["trust", "show", "release.pem", "--trust", "trust", "--at", "2033-01-01T00:00:00Z"])
        #expect(later.stdout.contains("status:     expired at 2032-05-23T16:25:52Z"), "\(later)")
        let check = try ws.run(["trust", "check", "--trust", "trust"] + at)
        #expect(check.stdout.contains("1 key(s), 1 usable now, 1 CA root(s), 1 usable now"), "\(check)")
    }

    @Test(
        "bad certificates are refused with exit 2 and a clear message, changing nothing",
        arguments: [
            ("not PEM", "not-pem.txt", ["--ca"], "not a PEM certificate file"),
            ("not a CA", "leaf.pem", ["--ca"], "is not a CA certificate"),
            ("intermediate", "intermediate.pem", ["--ca"], "is not a root"),
            ("wrong chain order", "chain-wrong-order.pem", ["--ca"], "holds 2 certificates"),
            ("expired", "leaf-expired.pem", [], "expired at 2025-06-01T00:00:00Z"),
            ("CA without --ca", "root.pem", [], "(`audit trust add --ca`)"),
            ("not PEM as a key", "not-pem.txt", [], "not-pem.txt"),
        ])
    func refused(kind: String, file: String, extra: [String], mentions: String) throws {
        let ws = try Self.setUp()
        try FileManager.default.copyItem(
            at: Self.pki.appendingPathComponent(file), to: ws.url.appendingPathComponent(file))
        let before = try ws.read("trust/trust.json")
        let result = try Self.add(ws, file, extra + ["--name", "added.pem"])
        #expect(result.exitCode == 2, "\(kind): \(result)")
        #expect(result.stderr.hasPrefix("audit: error: "), "\(kind): \(result)")
        #expect(result.stderr.contains(mentions), "\(kind): \(result)")
        #expect(try ws.read("trust/trust.json") == before, "\(kind) changed trust.json")
        #expect(!FileManager.default.fileExists(atPath: ws.path("trust/added.pem")), "\(kind) left its file")
    }

    @Test("--scheme with --ca is a usage error; identity flags without any CA root are a usage error")
    func usage() throws {
        let ws = try Self.setUp()
        let scheme = try Self.add(ws, "keys/root-ca.pem", ["--ca", "--scheme", "rsa-pss-sha256"])
        #expect(scheme.exitCode == 64, "\(scheme)")
        #expect(try Self.add(ws, "keys/p256.pub").exitCode == 0)
        let identity = try ws.run([
            "verify", "bundles/certificate-chain.sig", "--trust", "trust", "--certificate-identity", "a@example.com",
        ])
        #expect(identity.exitCode == 64, "\(identity)")
        #expect(identity.stderr.contains("need CA roots (--ca-roots, or ca entries in the trust store)"), "\(identity)")
    }
}
