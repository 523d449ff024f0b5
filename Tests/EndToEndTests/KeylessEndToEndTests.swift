import Foundation
import Testing

/// `audit verify --trusted-root` on a production keyless bundle (sigstore-js's release provenance, from
/// sigstore-go's test data): offline, the signer's identity decides, and every way to get it wrong fails.
@Suite("Sigstore keyless bundles through the CLI")
struct KeylessEndToEndTests {
    static let vectors = AuditBinary.packageRoot.appendingPathComponent("Tests/Vectors/sigstore")
    static let bundle = vectors.appendingPathComponent("sigstore.js@2.0.0-provenance.sigstore.json").path
    static let root = vectors.appendingPathComponent("trusted_root.json").path
    static let identity = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
    static let issuer = "https://token.actions.githubusercontent.com"

    static func verify(_ extra: [String], bundle: String = bundle) throws -> (AuditBinary.Result, [String: Any]) {
        let ws = try Workspace()
        try ws.keygen("unused")
        try ws.makeTrustStore([("unused", "")])
        let result = try ws.run(
            ["verify", bundle, "--trust", "trust", "--trusted-root", root, "--at", "2026-06-01T00:00:00Z",
             "--format", "json"] + extra)
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, object)
    }

    static func signatures(_ report: [String: Any]) -> [String: Any]? {
        let models = report["models"] as? [[String: Any]] ?? []
        let findings = models.first?["findings"] as? [[String: Any]] ?? []
        return findings.first { $0["ruleID"] as? String == "integrity.signatures" }
    }

    @Test("the right identity and issuer verify the signature and the report names them with the log entry")
    func identityVerifies() throws {
        let (result, report) = try Self.verify(
            ["--certificate-identity", Self.identity, "--certificate-oidc-issuer", Self.issuer])
        let finding = try #require(Self.signatures(report), "\(result)")
        #expect(finding["status"] as? String == "pass", "\(finding)")
        let message = finding["message"] as? String ?? ""
        #expect(message.contains(Self.identity) && message.contains("issuer \(Self.issuer)"), "\(message)")
        #expect(message.contains("Rekor log index 31821305, integrated 2023-08-18T16:05:35Z"), "\(message)")
        // Not an OMS statement (it is SLSA provenance), so the model verdict still fails: exit 1.
        #expect(result.exitCode == 1, "\(result)")
    }

    @Test("a wrong identity, a wrong issuer or a look-alike identity fails the signature check", arguments: [
        ["--certificate-identity", "release@vendor.example"],
        ["--certificate-identity", identity, "--certificate-oidc-issuer", "https://accounts.google.com"],
        ["--certificate-identity-regexp", "https://github.com/sigstore/sigstore-js/"],
        ["--certificate-identity", identity, "--certificate-oidc-issuer-regexp", "https://token.actions.github"],
    ])
    func wrongIdentityFails(extra: [String]) throws {
        let (result, report) = try Self.verify(extra)
        #expect(result.exitCode == 1, "\(result)")
        let finding = try #require(Self.signatures(report), "\(result)")
        #expect(finding["status"] as? String == "fail", "\(finding)")
        #expect((finding["observed"] as? String ?? "").contains("keyless verification failed"), "\(finding)")
    }

    @Test("a tampered signature no longer matches the logged entry")
    func tamperedSignature() throws {
        let ws = try Workspace()
        var bundle = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.bundle))) as? [String: Any])
        var envelope = try #require(bundle["dsseEnvelope"] as? [String: Any])
        var signatures = try #require(envelope["signatures"] as? [[String: Any]])
        let encoded = try #require(signatures[0]["sig"] as? String)
        var sig = try #require(Data(base64Encoded: encoded))
        sig[8] ^= 0x01
        signatures[0]["sig"] = sig.base64EncodedString()
        envelope["signatures"] = signatures
        bundle["dsseEnvelope"] = envelope
        try ws.write("tampered.json", bytes: try JSONSerialization.data(withJSONObject: bundle))
        let (result, report) = try Self.verify(["--certificate-identity", Self.identity], bundle: ws.path("tampered.json"))
        #expect(result.exitCode == 1, "\(result)")
        let finding = try #require(Self.signatures(report), "\(result)")
        #expect(finding["status"] as? String == "fail", "\(finding)")
    }

    @Test("--trusted-root needs an identity; a malformed trusted root is a clear error")
    func usageAndBadRoot() throws {
        let (noIdentity, _) = try Self.verify([])
        #expect(noIdentity.exitCode == 64, "\(noIdentity)")
        #expect(noIdentity.stderr.contains("--certificate-identity"), "\(noIdentity)")

        let ws = try Workspace()
        try ws.write("root.json", #"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": [7]}"#)
        let bad = try ws.run(
            ["verify", Self.bundle, "--trusted-root", "root.json", "--certificate-identity", Self.identity])
        #expect(bad.exitCode == 2, "\(bad)")
        #expect(bad.stderr.hasPrefix("audit: error: "), "\(bad)")
    }
}

/// `audit verify` on Rekor v2 bundles (sigstore-conformance's `rekor2-dsse-*`, staging instance): the signer is
/// reported with its log index and the timestamp authority's time, since a Rekor v2 entry has no integrated time.
@Suite("Sigstore Rekor v2 bundles through the CLI")
struct RekorV2EndToEndTests {
    static let vectors = KeylessEndToEndTests.vectors.appendingPathComponent("rekor2")
    static let identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
        + ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"

    static func verify(_ name: String) throws -> (AuditBinary.Result, [String: Any]) {
        let ws = try Workspace()
        let result = try ws.run(
            ["verify", vectors.appendingPathComponent("\(name)/bundle.sigstore.json").path,
             "--trusted-root", vectors.appendingPathComponent("trusted_root.dsse.json").path,
             "--certificate-identity", identity, "--certificate-oidc-issuer", KeylessEndToEndTests.issuer,
             "--format", "json"])
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, object)
    }

    @Test("a DSSE envelope logged on Rekor v2 verifies; the signer has a log index and a TSA time, no integrated time")
    func verifies() throws {
        let (result, report) = try Self.verify("rekor2-dsse-happy-path")
        let finding = try #require(KeylessEndToEndTests.signatures(report), "\(result)")
        #expect(finding["status"] as? String == "pass", "\(finding)")
        let model = try #require((report["models"] as? [[String: Any]])?.first)
        let signer = try #require((model["signers"] as? [[String: Any]])?.first)
        #expect(signer["kind"] as? String == "keyless")
        #expect(signer["san"] as? String == Self.identity)
        #expect(signer["logIndex"] as? Int == 4_026_478)
        #expect(signer["integratedTime"] == nil)
        #expect(signer["timestampAuthorityTime"] as? String == "2026-05-13T19:23:33Z")
        // SLSA provenance, not an OMS statement: the model still fails on its manifest.
        #expect(result.exitCode == 1, "\(result)")
    }

    @Test("an envelope that is not the logged one fails the signature check with the reason, exit 1")
    func mismatchedEnvelope() throws {
        let (result, report) = try Self.verify("rekor2-dsse-mismatch-envelope_fail")
        #expect(result.exitCode == 1, "\(result)")
        let finding = try #require(KeylessEndToEndTests.signatures(report), "\(result)")
        #expect(finding["status"] as? String == "fail", "\(finding)")
        #expect((finding["observed"] as? String ?? "").contains(
            "the entry body's digest of the envelope's pre-authentication encoding is not the bundle's"), "\(finding)")
    }
}
