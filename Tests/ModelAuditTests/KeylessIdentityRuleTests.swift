import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// `signatures.keyless-identities`: a whitelist of Sigstore signer identities per vendor, read strictly and
/// evaluated on who verifiably signed.
@Suite("Policy rule signatures.keyless-identities")
struct KeylessIdentityRuleTests {
    static let workflow = "https://github.com/acme/models/.github/workflows/release.yml@refs/tags/v1.0"
    static let actions = "https://token.actions.githubusercontent.com"

    private func policy(_ parameters: String, enforcement: String = "enforce") throws -> Policy {
        let scratch = try PolicyScratch()
        let text = """
            version: 1
            name: keyless
            rules:
              - {id: SIGNERS, type: signatures.keyless-identities, severity: critical, enforcement: \(enforcement), \
            \(parameters)}

            """
        return try PolicyLoader.load(path: try scratch.write("policy.yaml", text))
    }

    private static let acme = """
        vendors: [{name: Acme AI, identities: [\
        {san: release@acme.example, issuer: "https://accounts.google.com"}, \
        {sanRegexp: 'https://github\\.com/acme/models/\\.github/workflows/release\\.yml@refs/tags/v.*', \
        issuer: "https://token.actions.githubusercontent.com"}]}]
        """

    private func check(
        _ identity: SignerIdentity?, keyID: String = "sha256:k", owner: String = "signer"
    ) -> SignatureCheck {
        SignatureCheck(
            index: 0, keyIDHint: nil, outcome: .verified, keyID: keyID, owner: owner, roles: [],
            scheme: .ecdsaP256SHA256, identity: identity)
    }

    private func keyless(_ san: String, _ issuer: String) -> SignerIdentity {
        SignerIdentity(
            kind: .keyless, keyID: "sha256:k", san: san, oidcIssuer: issuer, logIndex: 7,
            integratedTime: "2026-01-02T03:04:05Z")
    }

    /// Evaluates the policy on an OMS model signature (no provenance manifest) signed as `checks` say.
    private func evaluate(_ policy: Policy, _ checks: [SignatureCheck]) -> ModelReport {
        let signatures = EnvelopeVerification(
            payloadType: DSSEEnvelope.inTotoPayloadType, threshold: 1, signatures: checks, time: PolicyFixture.time)
        return PolicyEvaluator(policy: policy, time: PolicyFixture.time).evaluate(
            file: "model.sig", envelopeSHA256: PolicyFixture.envelopeSHA256, integrity: [], signatures: signatures,
            statement: nil, custody: nil,
            signedWithoutManifest: SignedModelWithoutManifest(format: "the OMS signature", modelName: "model"))
    }

    private func finding(_ report: ModelReport) throws -> Finding {
        try #require(report.findings.first { $0.ruleID == "SIGNERS" })
    }

    @Test("a listed identity passes, exactly or by a whole-value pattern, and names the vendor")
    func listedIdentityPasses() throws {
        let policy = try policy(Self.acme)
        let google = keyless("release@acme.example", "https://accounts.google.com")
        for signer in [google, keyless(Self.workflow, Self.actions)] {
            let report = evaluate(policy, [check(signer)])
            let found = try finding(report)
            #expect(found.status == .pass, "\(found)")
            #expect(found.message.hasSuffix("an identity of Acme AI"), "\(found.message)")
            #expect(report.verdict == .compliant)
            #expect(report.signers == [signer])
        }
    }

    @Test(
        "an unlisted identity, the right name from another issuer, or a look-alike name fails with a remediation",
        arguments: [
            ("intruder@acme.example", "https://accounts.google.com"),
            ("release@acme.example", "https://token.actions.githubusercontent.com"),
            ("release@acme.example.attacker.test", "https://accounts.google.com"),
            ("https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main", actions),
            (workflow, "https://token.actions.githubusercontent.com.attacker.test"),
        ])
    func unlistedIdentityFails(san: String, issuer: String) throws {
        let report = evaluate(try policy(Self.acme), [check(keyless(san, issuer))])
        let found = try finding(report)
        #expect(found.status == .fail)
        #expect(found.message.contains("not an allowed signer identity"), "\(found.message)")
        #expect(found.observed?.contains(san) == true)
        #expect(found.remediation?.contains("add it (san and issuer)") == true, "\(found)")
        #expect(report.verdict == .nonCompliant)
    }

    @Test("a model signed with a key, or not verified at all, fails closed")
    func notKeylessFails() throws {
        let policy = try policy(Self.acme)
        let keySigned = try finding(evaluate(policy, [check(nil, keyID: "sha256:abc", owner: "Acme AI")]))
        #expect(keySigned.status == .fail)
        #expect(keySigned.message.contains("not signed keylessly"))
        #expect(keySigned.observed == "key sha256:abc (Acme AI)")
        #expect(keySigned.remediation?.contains("Sigstore keyless") == true)

        let certificate = SignerIdentity(kind: .certificate, certificateSubject: "CN=Acme", certificateIssuer: "CN=CA")
        #expect(try finding(evaluate(policy, [check(certificate)])).status == .fail)
    }

    @Test("one unlisted keyless signer beside a listed one fails the model")
    func everySignerMustBeListed() throws {
        let report = evaluate(
            try policy(Self.acme),
            [
                check(keyless("release@acme.example", "https://accounts.google.com")),
                check(keyless("x@y.example", Self.actions)),
            ])
        #expect(report.findings.filter { $0.ruleID == "SIGNERS" }.map(\.status).sorted() == [.fail, .pass])
        #expect(report.verdict == .nonCompliant)
    }

    @Test(
        "bad parameters are refused when the policy loads, naming the member",
        arguments: [
            ("vendors: []", "/rules/0/vendors"),
            ("vendors: [{name: Acme, identities: []}]", "/rules/0/vendors/0/identities"),
            ("vendors: [{name: Acme, identities: [{san: a@b.example}]}]", "/rules/0/vendors/0/identities/0/issuer"),
            ("vendors: [{name: Acme, identities: [{issuer: x}]}]", "/rules/0/vendors/0/identities/0/san"),
            ("vendors: [{name: Acme, identities: [{san: a, sanRegexp: b, issuer: x}]}]",
             "/rules/0/vendors/0/identities/0"),
            ("vendors: [{name: Acme, identities: [{sanRegexp: '(', issuer: x}]}]",
             "/rules/0/vendors/0/identities/0/sanRegexp"),
            ("vendors: [{name: Acme, identities: [{san: a, issuer: x, subject: y}]}]",
             "/rules/0/vendors/0/identities/0/subject"),
        ])
    func badParameters(parameters: String, pointer: String) throws {
        let error = try #require(throws: InvalidDocumentError.self) { _ = try policy(parameters) }
        #expect(error.problems.contains { $0.pointer == pointer }, "\(error)")
    }
}
