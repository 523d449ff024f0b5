import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// Loads a policy whose rules are YAML flow mappings, with the screening fixture list declared as `acme-list`.
private func policy(_ rules: [String]) throws -> Policy {
    let scratch = try PolicyScratch()
    let list = PolicyFixture.path("screening/acme-list.csv")
    var text = "version: 1\nname: \"Screening attacks\"\nscreeningLists: [{id: acme-list, file: \"\(list)\"}]\nrules:\n"
    text += rules.map { "  - \($0)\n" }.joined()
    return try PolicyLoader.load(path: try scratch.write("policy.yaml", text))
}

private let screeningRule = "{id: S, type: screening.entity-lists, severity: critical}"

/// Evaluates `manifest` as `audit verify --policy` would after a developer key signed it.
private func evaluate(_ policy: Policy, _ manifest: ManifestText) throws -> ModelReport {
    let signature = SignatureCheck(
        index: 0, keyIDHint: nil, outcome: .verified, keyID: "sha256:test-key-0", owner: "test signer",
        roles: [.developer], scheme: .ed25519)
    let verification = ModelVerification(
        signatures: EnvelopeVerification(
            payloadType: DSSEEnvelope.inTotoPayloadType, threshold: 1, signatures: [signature],
            time: PolicyFixture.time),
        statement: try manifest.statement(), artifacts: nil, custody: nil)
    return PolicyEvaluator(policy: policy, time: PolicyFixture.time).evaluate(
        file: "\(manifest.name).json", envelopeSHA256: PolicyFixture.envelopeSHA256, verification: verification,
        modelDirectory: nil, lineage: nil)
}

/// A developer owned through `depth` companies; the topmost is `top` in `topCountry`, the others are in the US.
private func developer(ownedThrough depth: Int, top: String, topCountry: String) -> String {
    var owner = #"{name: "\#(top)", country: "\#(topCountry)", independent: true}"#
    for level in stride(from: depth - 1, through: 1, by: -1) {
        owner = #"{name: "Holding Layer \#(level)", country: "US", parent: \#(owner)}"#
    }
    return #"{name: "Layered AI", country: "US", affiliations: [], parent: \#(owner)}"#
}

private func findings(_ report: ModelReport, _ rule: String) -> [Finding] {
    report.findings.filter { $0.ruleID == rule }
}

@Suite("Screening attacks through the policy rules")
struct ScreeningAttackRuleTests {
    @Test func aDeveloperNameWithAZeroWidthSpaceStillMatches() throws {
        var manifest = ManifestText()
        manifest.developer = #"{name: "Acme\u200B Trading", country: "CN"}"#
        let report = try evaluate(try policy([screeningRule]), manifest)
        let finding = try #require(findings(report, "S").first)
        #expect(finding.status == .fail)
        #expect(finding.message.contains("matches screening list entry ACME COMPANY LIMITED"), "\(finding.message)")
        #expect(finding.message.contains("[name contains 1 invisible character]"), "\(finding.message)")
        #expect(report.verdict == .nonCompliant)
    }

    @Test func aDeveloperNameWithACyrillicLetterStillMatchesAndIsFlagged() throws {
        var manifest = ManifestText()
        manifest.developer = #"{name: "Harbor Crest H\u043Eldings", country: "HK"}"#
        let report = try evaluate(try policy([screeningRule]), manifest)
        let finding = try #require(findings(report, "S").first)
        #expect(finding.status == .fail)
        #expect(finding.message.contains("through look-alike characters"), "\(finding.message)")
        #expect(finding.message.contains("[name mixes Latin and Cyrillic]"), "\(finding.message)")
    }

    @Test func anInnocentNameWithAnAccentPassesWithoutFlags() throws {
        var manifest = ManifestText()
        manifest.developer = #"{name: "Acmé Robotique", country: "FR"}"#
        let report = try evaluate(try policy([screeningRule]), manifest)
        let finding = try #require(findings(report, "S").first)
        #expect(finding.status == .pass)
        #expect(finding.message == "developer Acmé Robotique: no match")
    }

    @Test func anOwnerSeventeenLevelsUpIsScreened() throws {
        var manifest = ManifestText()
        manifest.developer = developer(ownedThrough: 17, top: "Acme Trading", topCountry: "CN")
        let report = try evaluate(try policy([screeningRule]), manifest)
        let failures = findings(report, "S").filter { $0.status == .fail }
        #expect(failures.count == 1)
        #expect(failures.first?.pointer == "/predicate/origin/developer" + String(repeating: "/parent", count: 17))
        #expect(findings(report, "S").allSatisfy { $0.status != .error })
    }

    @Test func anOwnerSeventeenLevelsUpIsCountryChecked() throws {
        var manifest = ManifestText()
        manifest.developer = developer(ownedThrough: 17, top: "Far Holdings", topCountry: "CN")
        let rule = "{id: J, type: jurisdictions.countries, severity: high, role: parent, deny: [CN]}"
        let report = try evaluate(try policy([rule]), manifest)
        let failures = findings(report, "J").filter { $0.status == .fail }
        #expect(failures.map(\.pointer) == [
            "/predicate/origin/developer" + String(repeating: "/parent", count: 17) + "/country"
        ])
        #expect(findings(report, "J").count == 17)
    }

    @Test func aChainOfExactlyTheLimitIsFollowedToItsEnd() throws {
        var manifest = ManifestText()
        manifest.developer = developer(ownedThrough: Party.maxOwnershipDepth, top: "Acme Trading", topCountry: "CN")
        let report = try evaluate(try policy([screeningRule]), manifest)
        #expect(findings(report, "S").filter { $0.status == .fail }.count == 1)
        #expect(findings(report, "S").allSatisfy { $0.status != .error })
    }

    @Test(arguments: [Party.maxOwnershipDepth + 1, 40])
    func aChainLongerThanTheLimitIsAScreeningError(depth: Int) throws {
        var manifest = ManifestText()
        manifest.developer = developer(ownedThrough: depth, top: "Acme Trading", topCountry: "CN")
        let report = try evaluate(try policy([screeningRule]), manifest)
        let errors = findings(report, "S").filter { $0.status == .error }
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        let limit = Party.maxOwnershipDepth
        #expect(error.message.hasPrefix("the ownership chain of developer Layered AI is longer than \(limit) companies"))
        #expect(error.message.contains("could not be evaluated or screened"), "\(error.message)")
        #expect(error.pointer == "/predicate/origin/developer" + String(repeating: "/parent", count: limit + 1))
        // Every owner up to the limit was still screened, and nothing passed in place of the rest.
        #expect(findings(report, "S").filter { $0.status == .pass }.count == 1 + limit)
        #expect(report.verdict != .compliant)
    }

    @Test func aChainLongerThanTheLimitIsAJurisdictionError() throws {
        var manifest = ManifestText()
        manifest.developer = developer(ownedThrough: 40, top: "Far Holdings", topCountry: "CN")
        let rule = "{id: J, type: jurisdictions.countries, severity: high, role: parent, deny: [CN]}"
        let report = try evaluate(try policy([rule]), manifest)
        let statuses = findings(report, "J").map(\.status)
        #expect(statuses.filter { $0 == .pass }.count == Party.maxOwnershipDepth)
        #expect(statuses.filter { $0 == .error }.count == 1)
        #expect(report.verdict != .compliant)

        let affiliations = "{id: A, type: jurisdictions.countries, severity: high, role: affiliation, deny: [CN]}"
        let affiliationReport = try evaluate(try policy([affiliations]), manifest)
        #expect(findings(affiliationReport, "A").map(\.status) == [.error])
    }

    @Test func aDataFlowRecipientsChainLongerThanTheLimitIsAnError() throws {
        var owner = #"{name: "Far Holdings", country: "CN", independent: true}"#
        for level in stride(from: 39, through: 1, by: -1) {
            owner = #"{name: "Holding Layer \#(level)", country: "US", parent: \#(owner)}"#
        }
        let flow = #"{category: "prompts", recipient: {name: "Relay Inc", country: "US", parent: \#(owner)}, "#
            + #"country: "US", purpose: "abuse monitoring"}"#
        let manifest = ManifestText.managedService(flows: "[\(flow)]")
        let rule = "{id: J, type: jurisdictions.countries, severity: high, role: data-flow-recipient, deny: [CN]}"
        let report = try evaluate(try policy([rule]), manifest)
        let errors = findings(report, "J").filter { $0.status == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("is longer than \(Party.maxOwnershipDepth) companies") == true)
    }

    @Test func theVendorDenyListCatchesALookAlike() throws {
        let rule = #"{id: V, type: vendors.deny, severity: high, subjects: [developer], vendors: [{name: "Acme AI"}]}"#
        var manifest = ManifestText()
        manifest.developer = #"{name: "\u0410cme\u00AD AI", country: "US", affiliations: []}"#
        let report = try evaluate(try policy([rule]), manifest)
        #expect(findings(report, "V").map(\.status) == [.fail])
    }

    @Test func theVendorAllowListNeverApprovesALookAlike() throws {
        let rule = #"{id: V, type: vendors.allow, severity: high, subjects: [developer], vendors: [{name: "Acme AI"}]}"#
        var manifest = ManifestText()
        manifest.developer = #"{name: "\u0410cme AI", country: "US", affiliations: []}"#
        let report = try evaluate(try policy([rule]), manifest)
        let finding = try #require(findings(report, "V").first)
        #expect(finding.status == .fail)
        #expect(finding.message.contains("only looks like Acme AI"), "\(finding.message)")

        manifest.developer = #"{name: "ACME\u200B AI", country: "US", affiliations: []}"#
        #expect(findings(try evaluate(try policy([rule]), manifest), "V").map(\.status) == [.pass])
    }
}
