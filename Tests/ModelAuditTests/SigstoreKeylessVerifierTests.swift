import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

@Suite("Sigstore keyless verification")
struct SigstoreKeylessVerifierTests {
    private func bundle(_ file: String, _ transform: (String) -> String = { $0 }) throws -> SigstoreBundle {
        try SigstoreBundle.decode(Array(transform(try SigstoreVector.text(file)).utf8))
    }

    private func root(_ file: String) throws -> TrustedRoot {
        try TrustedRoot.parse(try SigstoreVector.bytes(file))
    }

    private static let anyone = SigstoreIdentityPolicy(subject: nil, issuer: nil)

    /// The artifact beside the bundle, when the vectors have it (`bundle.txt` for `bundle.txt.sigstore`).
    private func artifactDigest(_ vector: SigstoreVector) throws -> [UInt8]? {
        guard vector.file.hasSuffix(".txt.sigstore") else { return nil }
        return try Digests.hash(try SigstoreVector.bytes(String(vector.file.dropLast(".sigstore".count))))
    }

    @Test("every production bundle verifies offline: log, chain, SCT, signature", arguments: SigstoreVector.all)
    func productionBundles(vector: SigstoreVector) throws {
        let verifier = SigstoreKeylessVerifier(trustedRoot: try vector.trustedRoot(), identity: Self.anyone)
        let result = try verifier.verify(try bundle(vector.file), artifactDigest: try artifactDigest(vector))
        #expect(result.path.count == 3)
        #expect(!result.identity.isEmpty)
        #expect(result.oidcIssuer != nil)
        #expect(result.entries.count == 1)
        #expect(result.signedCertificateTimestamps.count == 1)
    }

    @Test("the signer's identity and issuer are reported and enforced, exactly or by a whole-value pattern")
    func identityPolicy() throws {
        let python = try bundle("Python-3.12.5.tgz.sigstore")
        let publicGood = try root(SigstoreVector.publicGood)
        func verify(_ subject: SigstoreIdentityPolicy.Match?, _ issuer: SigstoreIdentityPolicy.Match?) throws
            -> SigstoreKeylessVerification
        {
            try SigstoreKeylessVerifier(trustedRoot: publicGood, identity: .init(subject: subject, issuer: issuer))
                .verify(python)
        }
        let result = try verify(.exact("thomas@python.org"), .exact("https://accounts.google.com"))
        #expect(result.identity == "thomas@python.org")
        #expect(result.oidcIssuer == "https://accounts.google.com")
        #expect(result.entries.first?.logIndex == 118_981_923)
        #expect(result.entries.first?.logBaseURL == "https://rekor.sigstore.dev")
        _ = try verify(.regularExpression(".*@python\\.org"), .regularExpression("https://accounts\\.google\\.com"))

        let wrongName = sigstoreError { _ = try verify(.exact("release@vendor.example"), nil) }
        #expect(wrongName?.kind == .rejected)
        #expect(wrongName?.message == "the certificate's identity (thomas@python.org) is not \"release@vendor.example\"")
        // A pattern must match the whole name, not a part of it.
        #expect(sigstoreError { _ = try verify(.regularExpression("thomas@python"), nil) }?.kind == .rejected)
        let wrongIssuer = sigstoreError { _ = try verify(nil, .exact("https://token.actions.githubusercontent.com")) }
        #expect(wrongIssuer?.message
            == "the certificate's OIDC issuer \"https://accounts.google.com\" is not \"https://token.actions.githubusercontent.com\"")
        #expect(sigstoreError { _ = try verify(.regularExpression("(unclosed"), nil) }?.kind == .malformed)
    }

    @Test("a GitHub Actions identity is a workflow URI")
    func workflowIdentity() throws {
        let github = try bundle("bundle_v3_github.whl.sigstore")
        let result = try SigstoreKeylessVerifier(
            trustedRoot: try root(SigstoreVector.publicGood),
            identity: .init(
                subject: .regularExpression("https://github\\.com/.+/\\.github/workflows/.+"),
                issuer: .exact("https://token.actions.githubusercontent.com"))
        ).verify(github)
        #expect(result.identity.hasPrefix("https://github.com/"))
    }

    @Test("an artifact that is not the one signed fails")
    func wrongArtifact() throws {
        let verifier = SigstoreKeylessVerifier(trustedRoot: try root(SigstoreVector.staging), identity: Self.anyone)
        let other = try Digests.hash(try SigstoreVector.bytes("bundle_v3.txt"))
        let error = sigstoreError { _ = try verifier.verify(try bundle("bundle.txt.sigstore"), artifactDigest: other) }
        #expect(error?.message.hasPrefix("the bundle signs the artifact digest") == true)
    }

    @Test("a changed DSSE payload or signature no longer matches the logged entry")
    func tamperedContent() throws {
        let vector = "sigstore.js@2.0.0-provenance.sigstore.json"
        let verifier = SigstoreKeylessVerifier(trustedRoot: try root(SigstoreVector.publicGood), identity: Self.anyone)
        let original = try bundle(vector)
        let envelope = try #require(original.dsseEnvelope)
        var changedPayload = original
        var alteredEnvelope = envelope
        alteredEnvelope.payload[10] ^= 0x01
        changedPayload.content = .dsseEnvelope(alteredEnvelope)
        #expect(sigstoreError { _ = try verifier.verify(changedPayload) }?.message.contains("payload hash is not the bundle's")
            == true)
        var changedSignature = original
        var resigned = envelope
        resigned.signatures[0].signature[8] ^= 0x01
        changedSignature.content = .dsseEnvelope(resigned)
        #expect(sigstoreError { _ = try verifier.verify(changedSignature) }?.message.contains("signature is not the bundle's")
            == true)
    }

    @Test("an expired Fulcio CA, a missing log entry and a key-signed bundle are refused")
    func refusals() throws {
        let github = try bundle("bundle_v3_github.whl.sigstore")
        let expiredText = replacingFirst(
            "\"start\": \"2022-04-13T20:06:15Z\"", with: "\"start\": \"2022-04-13T20:06:15Z\", \"end\": \"2023-01-01T00:00:00Z\"",
            in: try SigstoreVector.text(SigstoreVector.publicGood))
        let expired = SigstoreKeylessVerifier(trustedRoot: try TrustedRoot.parse(Array(expiredText.utf8)), identity: Self.anyone)
        #expect(sigstoreError { _ = try expired.verify(github) }?.message.hasPrefix("no Fulcio CA of the trusted root was valid")
            == true)

        let verifier = SigstoreKeylessVerifier(trustedRoot: try root(SigstoreVector.publicGood), identity: Self.anyone)
        var unlogged = github
        unlogged.transparencyLogEntries = []
        #expect(sigstoreError { _ = try verifier.verify(unlogged) }?.message.contains("no transparency log entry") == true)

        var keySigned = github
        keySigned.signer = .publicKey(hint: "key", rawBytes: nil)
        #expect(sigstoreError { _ = try verifier.verify(keySigned) }?.message.contains("signed with a public key") == true)
    }
}
