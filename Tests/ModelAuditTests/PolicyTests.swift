import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

// MARK: - Fixtures and helpers

/// Files under `Tests/Fixtures/policy` (see its README) and the package's own policies and schemas.
enum PolicyFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = packageRoot.appendingPathComponent("Tests/Fixtures/policy", isDirectory: true)

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
    static func packagePath(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

    /// 2026-06-01T00:00:00Z, the evaluation time of every test.
    static let time = Date(timeIntervalSince1970: 1_780_272_000)
    static let envelopeSHA256 = String(repeating: "ab", count: 32)
}

/// A scratch directory for policies written inline by a test; removed when the test ends.
final class PolicyScratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("policy-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: target)
        return target.path
    }
}

/// Loads a policy written inline: `rules` are YAML flow mappings, one per rule; `header` goes before `rules:`.
private func inlinePolicy(_ rules: [String], header: String = "", waivers: [String] = []) throws -> Policy {
    let scratch = try PolicyScratch()
    var text = "version: 1\nname: \"Unit test policy\"\n\(header)\nrules:\n"
    text += rules.map { "  - \($0)\n" }.joined()
    if !waivers.isEmpty { text += "waivers:\n" + waivers.map { "  - \($0)\n" }.joined() }
    return try PolicyLoader.load(path: try scratch.write("policy.yaml", text))
}

/// The problems `PolicyLoader` reports for the file at `path`, or `nil` when it loads.
private func loadProblems(_ path: String) -> [ValidationProblem]? {
    do {
        _ = try PolicyLoader.load(path: path)
        return nil
    } catch let error as InvalidDocumentError {
        return error.problems
    } catch {
        return [ValidationProblem(pointer: "", message: "unexpected error: \(error)")]
    }
}

private func inlineProblems(_ text: String) throws -> [ValidationProblem]? {
    let scratch = try PolicyScratch()
    return loadProblems(try scratch.write("policy.yaml", text))
}

/// A provenance statement written as YAML flow mappings, section by section, so a test states only what it varies.
struct ManifestText {
    static let zeros = String(repeating: "0", count: 64)
    static let parentDigest = String(repeating: "9f", count: 32)

    var name = "acme-chat-7b"
    var developer = #"{name: "Acme AI", legalName: "Acme AI, Inc.", country: "US", affiliations: []}"#
    var publisher: String?
    var hosting = #"{mode: "self-hosted"}"#
    var parents = "[]"
    var datasets: String? = "[]"
    var distillationSources: String? = "[]"
    var trainingCompute: String? = #"[{accelerator: "NVIDIA H100", country: "US"}]"#
    var dataRetention = "[]"
    var audits = "[]"

    /// A managed service run by Acme AI in the US; `flows` and `retention` are YAML flow sequences.
    static func managedService(
        flows: String = "[]", retention: String = "[]", governing: String = #"["US"]"#,
        regions: String = #"[{name: "us-east", country: "US"}]"#
    ) -> ManifestText {
        var manifest = ManifestText()
        manifest.hosting = """
            {mode: "managed-service", provider: {name: "Acme AI", country: "US"}, service: "Acme Chat", \
            regions: \(regions), governingJurisdictions: \(governing), subProcessors: [], dataFlows: \(flows)}
            """
        manifest.dataRetention = retention
        return manifest
    }

    /// One `dataRetention` term; a collected category states everything the manifest reader requires.
    static func term(
        _ category: String, collected: Bool = true, days: Int? = 30, training: Bool = false, deletion: Bool = true,
        storage: String = #"["US"]"#
    ) -> String {
        guard collected else { return "{category: \"\(category)\", collected: false}" }
        let retention = days.map { "retentionDays: \($0)" } ?? "indefinite: true"
        return "{category: \"\(category)\", collected: true, \(retention), usedForTraining: \(training), "
            + "deletionOnRequest: \(deletion), storageCountries: \(storage)}"
    }

    /// A prompts data flow to `recipient` in `country`.
    static func flow(_ category: String, to recipient: String, in country: String) -> String {
        "{category: \"\(category)\", recipient: {name: \"\(recipient)\", country: \"\(country)\"}, "
            + "country: \"\(country)\", purpose: \"abuse monitoring\"}"
    }

    var yaml: String {
        var origin = "{developer: \(developer)"
        if let publisher { origin += ", publisher: \(publisher)" }
        origin += "}"
        var lineage = "{parents: \(parents)"
        if let datasets { lineage += ", datasets: \(datasets)" }
        if let distillationSources { lineage += ", distillationSources: \(distillationSources)" }
        if let trainingCompute { lineage += ", trainingCompute: \(trainingCompute)" }
        lineage += "}"
        return """
            _type: "https://in-toto.io/Statement/v1"
            subject: [{name: "model.safetensors", digest: {sha256: "\(Self.zeros)"}}]
            predicateType: "https://model-audit.dev/provenance/v1"
            predicate:
              model: {name: "\(name)", version: "1.0.0", license: "Apache-2.0", format: "safetensors", \
            source: "https://models.example/\(name)"}
              origin: \(origin)
              hosting: \(hosting)
              lineage: \(lineage)
              dataRetention: \(dataRetention)
              audits: \(audits)

            """
    }

    func statement() throws -> ProvenanceStatement {
        try ManifestReader.read(try YAMLDocument.parse(Array(yaml.utf8)), document: name)
    }
}

/// A signature that verified under a trusted key with `roles`, owned by `ManifestText`'s developer unless told.
private func verifiedSignature(
    _ index: Int, roles: [TrustRole], scheme: SignatureScheme = .ed25519, key: String? = nil,
    owner: String = "Acme AI, Inc."
) -> SignatureCheck {
    SignatureCheck(
        index: index, keyIDHint: nil, outcome: .verified, keyID: key ?? "sha256:test-key-\(index)",
        owner: owner, roles: roles, scheme: scheme)
}

/// Evaluates `manifest` against `policy` as `audit verify` would after its signatures verified.
private func evaluate(
    _ policy: Policy, _ manifest: ManifestText,
    signatures: [SignatureCheck] = [verifiedSignature(0, roles: [.developer])],
    envelopeSHA256: String = PolicyFixture.envelopeSHA256, lineage: LineageResolver.Result? = nil,
    custody: CustodyVerification? = nil, evaluator: PolicyEvaluator? = nil
) throws -> ModelReport {
    let statement = try manifest.statement()
    let verification = ModelVerification(
        signatures: EnvelopeVerification(
            payloadType: DSSEEnvelope.inTotoPayloadType, threshold: 1, signatures: signatures,
            time: PolicyFixture.time),
        statement: statement, artifacts: nil, custody: custody)
    let evaluator = evaluator ?? PolicyEvaluator(policy: policy, time: PolicyFixture.time)
    return evaluator.evaluate(
        file: "\(manifest.name).json", envelopeSHA256: envelopeSHA256, verification: verification,
        modelDirectory: nil, lineage: lineage)
}

extension ModelReport {
    /// The findings of one rule.
    fileprivate func findings(_ rule: String) -> [Finding] { findings.filter { $0.ruleID == rule } }

    /// The statuses of one rule's findings, in report order.
    fileprivate func statuses(_ rule: String) -> [FindingStatus] { findings(rule).map(\.status) }
}

// MARK: - Rule types: signatures

@Suite("Policy rules: signatures")
struct SignatureRuleTests {
    @Test func requiredRolesPassWhenADeveloperKeySigned() throws {
        let policy = try inlinePolicy([
            "{id: R, type: signatures.required-roles, severity: critical, roles: [developer]}"
        ])
        let report = try evaluate(policy, ManifestText())
        #expect(report.statuses("R") == [.pass])
        #expect(report.findings("R").first?.observed == "sha256:test-key-0")
    }

    /// The attack: a trusted developer key of one company signs a manifest that names another company as the
    /// developer (say, to pass a jurisdiction or allow-list rule). The developer rule must fail.
    @Test func requiredRolesFailWhenTheSignerIsNotTheDeclaredDeveloper() throws {
        let policy = try inlinePolicy([
            "{id: R, type: signatures.required-roles, severity: critical, roles: [developer, publisher]}"
        ])
        let report = try evaluate(
            policy, ManifestText(),
            signatures: [verifiedSignature(0, roles: [.developer, .publisher], owner: "Blackfen Dynamics Co., Ltd.")])
        #expect(report.statuses("R") == [.fail, .fail])
        let message = report.findings("R").first?.message ?? ""
        #expect(message.contains("names \"Acme AI, Inc.\" as its developer"), "\(message)")
        #expect(message.contains("signature is by Blackfen Dynamics Co., Ltd."), "\(message)")
        #expect(report.findings("R").first?.pointer == "/predicate/origin/developer")
    }

    @Test func requiredRolesMatchTheOwnerAfterNormalisationButNeverThroughAnAlias() throws {
        let policy = try inlinePolicy([
            "{id: R, type: signatures.required-roles, severity: critical, roles: [developer]}"
        ])
        // "ACME AI Inc" is the same legal name as "Acme AI, Inc." once case, punctuation and legal forms go.
        let same = try evaluate(
            policy, ManifestText(), signatures: [verifiedSignature(0, roles: [.developer], owner: "ACME AI Inc")])
        #expect(same.statuses("R") == [.pass])
        // An alias is the signer's own claim: naming the key owner as an alias proves nothing.
        var aliased = ManifestText()
        aliased.developer = #"{name: "Acme AI", legalName: "Acme AI, Inc.", country: "US", aliases: ["Evil Corp"], "#
            + #"affiliations: []}"#
        let alias = try evaluate(
            policy, aliased, signatures: [verifiedSignature(0, roles: [.developer], owner: "Evil Corp")])
        #expect(alias.statuses("R") == [.fail])
    }

    @Test func requiredRolesFailWithoutTheRole() throws {
        let policy = try inlinePolicy([
            "{id: R, type: signatures.required-roles, severity: critical, roles: [developer, auditor]}"
        ])
        let report = try evaluate(policy, ManifestText(), signatures: [verifiedSignature(0, roles: [.publisher])])
        #expect(report.statuses("R") == [.fail, .fail])
        let finding = try #require(report.findings("R").first)
        #expect(finding.observed == "verified roles: publisher")
        #expect(finding.pointer == "/signatures")
        #expect(report.verdict == .nonCompliant)
    }

    @Test func thresholdCountsDistinctKeysNotSignatures() throws {
        let policy = try inlinePolicy(["{id: T, type: signatures.threshold, severity: critical, minimum: 2}"])
        let two = try evaluate(
            policy, ManifestText(),
            signatures: [verifiedSignature(0, roles: [.developer]), verifiedSignature(1, roles: [.publisher])])
        #expect(two.statuses("T") == [.pass])
        let sameKeyTwice = try evaluate(
            policy, ManifestText(),
            signatures: [
                verifiedSignature(0, roles: [.developer], key: "sha256:one"),
                verifiedSignature(1, roles: [.developer], key: "sha256:one"),
            ])
        #expect(sameKeyTwice.statuses("T") == [.fail])
        #expect(sameKeyTwice.findings("T").first?.observed == "1")
    }

    @Test func thresholdOfOneRole() throws {
        let policy = try inlinePolicy([
            "{id: T, type: signatures.threshold, severity: critical, minimum: 2, role: developer}"
        ])
        let report = try evaluate(
            policy, ManifestText(),
            signatures: [verifiedSignature(0, roles: [.developer]), verifiedSignature(1, roles: [.publisher])])
        #expect(report.statuses("T") == [.fail])
        #expect(report.findings("T").first?.expected == "≥ 2 distinct trusted developer keys")
    }

    @Test func algorithmsPassAndFailPerSignature() throws {
        let policy = try inlinePolicy([
            "{id: A, type: signatures.algorithms, severity: high, allowed: [ed25519, ecdsa-p256-sha256]}"
        ])
        let report = try evaluate(
            policy, ManifestText(),
            signatures: [
                verifiedSignature(0, roles: [.developer]),
                verifiedSignature(1, roles: [.publisher], scheme: .rsaPKCS1v15SHA256),
            ])
        let findings = report.findings("A")
        #expect(findings.map(\.status) == [.fail, .pass])
        #expect(findings.first?.pointer == "/signatures/1")
        #expect(findings.first?.observed == "rsa-pkcs1v15-sha256")
    }
}

// MARK: - Rule types: vendors

@Suite("Policy rules: vendors")
struct VendorRuleTests {
    static let allow = """
        {id: V, type: vendors.allow, severity: high, subjects: [developer], \
        vendors: [{name: "Acme Artificial Intelligence", aliases: ["ACME AI INC"]}]}
        """

    @Test func allowListMatchesALegalNameThroughAnAlias() throws {
        let report = try evaluate(try inlinePolicy([Self.allow]), ManifestText())
        #expect(report.statuses("V") == [.pass])
        #expect(report.findings("V").first?.message == "developer Acme AI is approved as Acme Artificial Intelligence")
    }

    @Test func allowListFailsAnUnknownDeveloper() throws {
        var manifest = ManifestText()
        manifest.developer = #"{name: "Other Labs", country: "US"}"#
        let report = try evaluate(try inlinePolicy([Self.allow]), manifest)
        let finding = try #require(report.findings("V").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/origin/developer")
        #expect(finding.expected == "one of: Acme Artificial Intelligence")
    }

    @Test func allowListPublisherNotDeclaredFailsAndSelfHostedHostIsNotApplicable() throws {
        let policy = try inlinePolicy([
            """
            {id: V, type: vendors.allow, severity: high, subjects: [publisher, host], vendors: [{name: "Acme AI"}]}
            """
        ])
        let report = try evaluate(policy, ManifestText())
        let findings = report.findings("V")
        #expect(findings.map(\.status) == [.fail, .notApplicable])
        #expect(findings.first?.observed == "not declared")
        #expect(findings.first?.pointer == "/predicate/origin/publisher")
        #expect(findings.last?.pointer == "/predicate/hosting/provider")
    }

    @Test func denyListFailsADeniedHostAndPassesOthers() throws {
        let policy = try inlinePolicy([
            "{id: D, type: vendors.deny, severity: critical, subjects: [host], vendors: [{name: \"ACME AI Inc.\"}]}"
        ])
        let hosted = try evaluate(policy, ManifestText.managedService())
        #expect(hosted.statuses("D") == [.fail])
        #expect(hosted.findings("D").first?.message == "host Acme AI is a denied vendor (ACME AI Inc.)")
        var other = ManifestText.managedService()
        other.hosting = other.hosting.replacingOccurrences(of: "Acme AI", with: "Example Cloud")
        #expect(try evaluate(policy, other).statuses("D") == [.pass])
        #expect(try evaluate(policy, ManifestText()).statuses("D") == [.notApplicable])
    }
}

// MARK: - Rule types: screening

@Suite("Policy rules: screening")
struct ScreeningRuleTests {
    static func policy() throws -> Policy {
        try PolicyLoader.load(path: PolicyFixture.path("valid/screening.yaml"))
    }

    @Test func legalFormsNormaliseAway() {
        #expect(EntityName.normalize("Acme Co., Ltd.") == EntityName.normalize("ACME COMPANY LIMITED"))
        #expect(EntityName.normalize("Acme Co., Ltd.").value == "acme")
        #expect(EntityName.normalize("Acme Robotics").value == "acme robotics")
    }

    @Test func developerOnTheListFailsNamingTheEntryAndItsSource() throws {
        var manifest = ManifestText()
        manifest.developer = #"{name: "Acme Co., Ltd.", country: "CN"}"#
        let report = try evaluate(try Self.policy(), manifest)
        let finding = try #require(report.findings("SCREEN").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/origin/developer")
        #expect(finding.message.contains("ACME COMPANY LIMITED on acme-list"))
        #expect(finding.message.contains("source: Entity List (EL) - Bureau of Industry and Security"))
        #expect(finding.message.contains("line 2"))
        #expect(finding.observed == #""Acme Co., Ltd." matches "ACME COMPANY LIMITED""#)
        #expect(finding.controls == ["NIST-AI-RMF:GOVERN-6.1", "ISO-42001:A.10.3"])
        #expect(report.verdict == .nonCompliant)
    }

    @Test func aDifferentEntityWithASharedWordDoesNotMatch() throws {
        var manifest = ManifestText()
        manifest.developer = #"{name: "Acme Robotics", country: "US"}"#
        let report = try evaluate(try Self.policy(), manifest)
        #expect(report.statuses("SCREEN") == [.pass])
        #expect(report.verdict == .compliant)
    }

    @Test func parentCompanyOnTheListFailsWithTheParentsPointer() throws {
        var manifest = ManifestText()
        manifest.developer = """
            {name: "Lumenbrook AI", country: "SG", parent: {name: "Harbor Crest Holdings Limited", country: "HK"}}
            """
        let report = try evaluate(try Self.policy(), manifest)
        let failures = report.findings("SCREEN").filter { $0.status == .fail }
        #expect(failures.count == 1)
        let finding = try #require(failures.first)
        #expect(finding.pointer == "/predicate/origin/developer/parent")
        #expect(finding.message.hasPrefix("parent Harbor Crest Holdings Limited (developer Lumenbrook AI) matches"))
        #expect(finding.message.contains("Military End User (MEU) List"))
        let developer = report.findings("SCREEN").first { $0.pointer == "/predicate/origin/developer" }
        #expect(developer?.status == .pass)
    }

    @Test func dataFlowRecipientsAreScreenedToo() throws {
        let flow = ManifestText.flow("prompts", to: "Acme Trading", in: "CN")
        let manifest = ManifestText.managedService(flows: "[\(flow)]")
        let report = try evaluate(try Self.policy(), manifest)
        let failure = try #require(report.findings("SCREEN").first { $0.status == .fail })
        #expect(failure.pointer == "/predicate/hosting/dataFlows/0/recipient")
        #expect(failure.observed == #""Acme Trading" matches "Acme Trading""#)
    }

    @Test func partiesParameterNarrowsWhatIsScreened() throws {
        let list = PolicyFixture.path("screening/acme-list.csv")
        let policy = try inlinePolicy(
            ["{id: S, type: screening.entity-lists, severity: critical, parties: [host]}"],
            header: "screeningLists: [{id: l, file: \"\(list)\"}]")
        var manifest = ManifestText()
        manifest.developer = #"{name: "Acme Co., Ltd.", country: "CN"}"#
        #expect(try evaluate(policy, manifest).statuses("S").isEmpty)
    }
}

// MARK: - Rule types: jurisdictions

@Suite("Policy rules: jurisdictions")
struct JurisdictionRuleTests {
    static func rule(_ parameters: String) -> String {
        "{id: J, type: jurisdictions.countries, severity: high, \(parameters)}"
    }

    @Test func developerDenyList() throws {
        let policy = try inlinePolicy([Self.rule("role: developer, deny: [CN, RU]")])
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.pass])
        var manifest = ManifestText()
        manifest.developer = #"{name: "Example AI", country: "CN"}"#
        let finding = try #require(try evaluate(policy, manifest).findings("J").first)
        #expect(finding.status == .fail)
        #expect(finding.expected == "none of CN, RU")
        #expect(finding.observed == "CN")
        #expect(finding.pointer == "/predicate/origin/developer/country")
    }

    @Test func developerAllowList() throws {
        let policy = try inlinePolicy([Self.rule("role: developer, allow: [US, GB]")])
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.pass])
        var manifest = ManifestText()
        manifest.developer = #"{name: "Example AI", country: "DE"}"#
        #expect(try evaluate(policy, manifest).statuses("J") == [.fail])
    }

    @Test func hostedServiceBanFailsTheServiceAndPassesTheSameModelSelfHosted() throws {
        let policy = try inlinePolicy([
            Self.rule("role: data-flow-recipient, scope: hosted-service, categories: [prompts], deny: [CN]")
        ])
        let service = ManifestText.managedService(
            flows: "[\(ManifestText.flow("prompts", to: "Example Telemetry", in: "CN"))]")
        let hosted = try evaluate(policy, service)
        #expect(hosted.statuses("J") == [.fail, .fail])
        #expect(hosted.findings("J").map(\.pointer) == [
            "/predicate/hosting/dataFlows/0/country", "/predicate/hosting/dataFlows/0/recipient/country",
        ])
        #expect(hosted.verdict == .nonCompliant)

        let selfHosted = try evaluate(policy, ManifestText())
        #expect(selfHosted.statuses("J") == [.notApplicable])
        #expect(selfHosted.findings("J").first?.message == "applies to hosted services; this model is self-hosted")
        #expect(selfHosted.verdict == .compliant)
    }

    @Test func categoriesNarrowTheDataFlows() throws {
        let policy = try inlinePolicy([Self.rule("role: data-flow-recipient, categories: [prompts], deny: [CN]")])
        let telemetryOnly = ManifestText.managedService(
            flows: "[\(ManifestText.flow("telemetry", to: "Example Telemetry", in: "CN"))]")
        #expect(try evaluate(policy, telemetryOnly).statuses("J") == [.notApplicable])
    }

    @Test func selfHostedScopeSkipsAService() throws {
        let policy = try inlinePolicy([Self.rule("role: developer, scope: self-hosted, deny: [US]")])
        #expect(try evaluate(policy, ManifestText.managedService()).statuses("J") == [.notApplicable])
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.fail])
    }

    @Test func parentCompaniesAreCheckedAndUndeclaredOwnershipFails() throws {
        let policy = try inlinePolicy([Self.rule("role: parent, deny: [CN]")])
        let silent = try #require(try evaluate(policy, ManifestText()).findings("J").first)
        #expect(silent.status == .fail)
        #expect(silent.observed == "not declared")
        #expect(silent.pointer == "/predicate/origin/developer/parent")
        var independent = ManifestText()
        independent.developer = #"{name: "Example AI", country: "SG", independent: true}"#
        #expect(try evaluate(policy, independent).statuses("J") == [.notApplicable])
        var manifest = ManifestText()
        manifest.developer = #"{name: "Example AI", country: "SG", parent: {name: "Example Group", country: "CN"}}"#
        let finding = try #require(try evaluate(policy, manifest).findings("J").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/origin/developer/parent/country")
    }

    @Test func affiliationsNotDeclaredFailAndAnEmptyListIsNotApplicable() throws {
        let policy = try inlinePolicy([Self.rule("role: affiliation, deny: [CN]")])
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.notApplicable])
        var undeclared = ManifestText()
        undeclared.developer = #"{name: "Acme AI", country: "US"}"#
        let finding = try #require(try evaluate(policy, undeclared).findings("J").first)
        #expect(finding.status == .fail)
        #expect(finding.observed == "not declared")
        #expect(finding.message.hasPrefix("the developer's affiliations is not declared"))
        var state = ManifestText()
        state.developer = """
            {name: "Acme AI", country: "US", affiliations: [{type: "state", name: "Example Ministry", country: "CN"}]}
            """
        #expect(try evaluate(policy, state).statuses("J") == [.fail])
    }

    @Test func hostRegionAndGoverningLaw() throws {
        let policy = try inlinePolicy([
            "{id: HOST, type: jurisdictions.countries, severity: high, role: host, allow: [US]}",
            "{id: REGION, type: jurisdictions.countries, severity: high, role: hosting-region, allow: [US]}",
            "{id: LAW, type: jurisdictions.countries, severity: high, role: governing-law, deny: [CN]}",
        ])
        let service = try evaluate(
            policy, ManifestText.managedService(governing: #"["US", "CN"]"#, regions: "[]"))
        #expect(service.statuses("HOST") == [.pass])
        #expect(service.statuses("REGION") == [.fail])
        #expect(service.findings("REGION").first?.observed == "not declared")
        #expect(service.statuses("LAW") == [.fail, .pass])
        let selfHosted = try evaluate(policy, ManifestText())
        for rule in ["HOST", "REGION", "LAW"] { #expect(selfHosted.statuses(rule) == [.notApplicable], "\(rule)") }
    }

    @Test func dataStorage() throws {
        let policy = try inlinePolicy([Self.rule("role: data-storage, deny: [CN]")])
        let stored = ManifestText.managedService(
            retention: "[\(ManifestText.term("prompts", storage: #"["US", "CN"]"#))]")
        #expect(try evaluate(policy, stored).statuses("J") == [.fail, .pass])
        let undeclared = try evaluate(policy, ManifestText.managedService())
        #expect(undeclared.statuses("J") == [.fail])
        #expect(undeclared.findings("J").first?.observed == "not declared")
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.notApplicable])
    }

    @Test func trainingComputeNotDeclaredFails() throws {
        let policy = try inlinePolicy([Self.rule("role: training-compute, deny: [CN]")])
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.pass])
        var manifest = ManifestText()
        manifest.trainingCompute = nil
        let finding = try #require(try evaluate(policy, manifest).findings("J").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/lineage/trainingCompute")
        #expect(finding.expected == "none of CN")
    }
}

// MARK: - Rule types: retention

@Suite("Policy rules: retention")
struct RetentionRuleTests {
    @Test func maxDaysPassFailIndefiniteAndNotCollected() throws {
        let policy = try inlinePolicy([
            "{id: M, type: retention.max-days, severity: high, limits: {prompts: 30, outputs: 30, telemetry: 7}}"
        ])
        let retention = [
            ManifestText.term("prompts", days: 30), ManifestText.term("outputs", days: nil),
            ManifestText.term("telemetry", collected: false),
        ]
        let report = try evaluate(
            policy, ManifestText.managedService(retention: "[\(retention.joined(separator: ", "))]"))
        let byPointer = Dictionary(
            report.findings("M").map { ($0.pointer ?? "", $0.status) }, uniquingKeysWith: { first, _ in first })
        #expect(byPointer["/predicate/dataRetention/0/retentionDays"] == .pass)
        #expect(byPointer["/predicate/dataRetention/1/indefinite"] == .fail)
        #expect(byPointer["/predicate/dataRetention/2/collected"] == .pass)
        let ninety = ManifestText.managedService(retention: "[\(ManifestText.term("prompts", days: 90))]")
        let over = try evaluate(policy, ninety)
        let finding = try #require(over.findings("M").first { $0.pointer?.hasSuffix("/retentionDays") == true })
        #expect(finding.status == .fail)
        #expect(finding.expected == "at most 30 days")
        #expect(finding.observed == "90 days")
    }

    @Test func maxDaysNotDeclaredForAServiceAndNotApplicableSelfHosted() throws {
        let policy = try inlinePolicy(["{id: M, type: retention.max-days, severity: high, limits: {prompts: 30}}"])
        let service = try evaluate(policy, ManifestText.managedService())
        let finding = try #require(service.findings("M").first)
        #expect(finding.status == .fail)
        #expect(finding.message == "what happens to prompts is not declared; absence of evidence is not compliance")
        #expect(finding.pointer == "/predicate/dataRetention")
        #expect(try evaluate(policy, ManifestText()).statuses("M") == [.notApplicable])
    }

    @Test func noTraining() throws {
        let policy = try inlinePolicy(["{id: N, type: retention.no-training, severity: high, categories: [prompts]}"])
        let clean = ManifestText.managedService(retention: "[\(ManifestText.term("prompts"))]")
        #expect(try evaluate(policy, clean).statuses("N") == [.pass])
        let training = ManifestText.managedService(retention: "[\(ManifestText.term("prompts", training: true))]")
        let finding = try #require(try evaluate(policy, training).findings("N").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/dataRetention/0/usedForTraining")
        #expect(finding.observed == "usedForTraining: true")
        #expect(try evaluate(policy, ManifestText.managedService()).statuses("N") == [.fail])
        #expect(try evaluate(policy, ManifestText()).statuses("N") == [.notApplicable])
    }

    @Test func deletionOnRequest() throws {
        let policy = try inlinePolicy([
            "{id: D, type: retention.deletion-on-request, severity: medium, categories: [prompts, outputs]}"
        ])
        let retention = "[\(ManifestText.term("prompts")), \(ManifestText.term("outputs", deletion: false))]"
        let report = try evaluate(policy, ManifestText.managedService(retention: retention))
        #expect(report.statuses("D") == [.fail, .pass])
        #expect(report.findings("D").first?.pointer == "/predicate/dataRetention/1/deletionOnRequest")
        #expect(try evaluate(policy, ManifestText.managedService()).statuses("D") == [.fail, .fail])
    }

    @Test func forbiddenCollection() throws {
        let policy = try inlinePolicy([
            "{id: F, type: retention.forbidden-collection, severity: critical, categories: [keystrokes]}"
        ])
        let collected = ManifestText.managedService(retention: "[\(ManifestText.term("keystrokes"))]")
        let finding = try #require(try evaluate(policy, collected).findings("F").first)
        #expect(finding.status == .fail)
        #expect(finding.observed == "collected: true")
        let notCollected = ManifestText.managedService(
            retention: "[\(ManifestText.term("keystrokes", collected: false))]")
        #expect(try evaluate(policy, notCollected).statuses("F") == [.pass])
        #expect(try evaluate(policy, ManifestText.managedService()).statuses("F") == [.fail])
        #expect(try evaluate(policy, ManifestText()).statuses("F") == [.notApplicable])
    }

    @Test func storageCountries() throws {
        let policy = try inlinePolicy([
            "{id: S, type: retention.storage-countries, severity: high, allow: [US, DE], categories: [prompts]}"
        ])
        let retention = "[\(ManifestText.term("prompts", storage: #"["US", "SG"]"#)), "
            + "\(ManifestText.term("telemetry", storage: #"["CN"]"#))]"
        let report = try evaluate(policy, ManifestText.managedService(retention: retention))
        #expect(report.statuses("S") == [.fail, .pass])
        #expect(report.findings("S").first?.pointer == "/predicate/dataRetention/0/storageCountries/1")
        #expect(try evaluate(policy, ManifestText.managedService()).statuses("S") == [.fail])
        #expect(try evaluate(policy, ManifestText()).statuses("S") == [.notApplicable])
    }
}

// MARK: - Rule types: audits

@Suite("Policy rules: audits")
struct AuditRuleTests {
    static let rule = """
        {id: A, type: audits.required, severity: medium, frameworks: ["soc2-type-ii"], maxAgeDays: 400}
        """
    static let evidence = "evidence: {digest: {sha256: \"\(String(repeating: "4e", count: 32))\"}}"

    static func manifest(issued: String, expires: String? = nil, evidence: Bool = true) -> ManifestText {
        var manifest = ManifestText()
        var audit = "{framework: \"SOC 2 Type II\", auditor: \"Example Assurance LLP\", issued: \"\(issued)\""
        if let expires { audit += ", expires: \"\(expires)\"" }
        if evidence { audit += ", \(Self.evidence)" }
        manifest.audits = "[\(audit)}]"
        return manifest
    }

    @Test func currentAttestationWithEvidencePasses() throws {
        let manifest = Self.manifest(issued: "2026-01-15", expires: "2027-01-14")
        let report = try evaluate(try inlinePolicy([Self.rule]), manifest)
        #expect(report.statuses("A") == [.pass])
        #expect(report.findings("A").first?.pointer == "/predicate/audits/0")
    }

    @Test func missingExpiredStaleAndEvidenceFreeAttestationsFail() throws {
        let policy = try inlinePolicy([Self.rule])
        let missing = try #require(try evaluate(policy, ManifestText()).findings("A").first)
        #expect(missing.status == .fail)
        #expect(missing.observed == "no audits")
        let expired = try #require(
            try evaluate(policy, Self.manifest(issued: "2025-01-01", expires: "2026-01-01")).findings("A").first)
        #expect(expired.status == .fail)
        #expect(expired.pointer == "/predicate/audits/0/expires")
        let stale = try #require(try evaluate(policy, Self.manifest(issued: "2024-06-01")).findings("A").first)
        #expect(stale.status == .fail)
        #expect(stale.observed == "730 days old")
        let noEvidence = try #require(
            try evaluate(policy, Self.manifest(issued: "2026-01-15", evidence: false)).findings("A").first)
        #expect(noEvidence.status == .fail)
        #expect(noEvidence.pointer == "/predicate/audits/0/evidence")
    }

    @Test func evidenceCanBeOptional() throws {
        let policy = try inlinePolicy([
            "{id: A, type: audits.required, severity: low, frameworks: [\"SOC 2 Type II\"], requireEvidence: false}"
        ])
        #expect(try evaluate(policy, Self.manifest(issued: "2026-01-15", evidence: false)).statuses("A") == [.pass])
    }
}

// MARK: - Rule types: lineage

@Suite("Policy rules: lineage")
struct LineageRuleTests {
    static func parent(_ relation: String, digest: Bool = true) -> String {
        let reference = digest ? ", manifestDigest: {sha256: \"\(ManifestText.parentDigest)\"}" : ""
        return "[{name: \"acme-base-7b\", relation: \"\(relation)\"\(reference)}]"
    }

    @Test func forbiddenRelations() throws {
        let policy = try inlinePolicy([
            "{id: L, type: lineage.forbidden-relations, severity: high, relations: [distillation, merge]}"
        ])
        var fineTune = ManifestText()
        fineTune.parents = Self.parent("fine-tune")
        #expect(try evaluate(policy, fineTune).statuses("L") == [.pass])
        var distilled = ManifestText()
        distilled.parents = Self.parent("distillation")
        let finding = try #require(try evaluate(policy, distilled).findings("L").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/lineage/parents/0/relation")
        #expect(finding.expected == "none of distillation, merge")
        #expect(try evaluate(policy, ManifestText()).statuses("L") == [.pass])
    }

    @Test func datasetLicenses() throws {
        let policy = try inlinePolicy([
            "{id: L, type: lineage.dataset-licenses, severity: medium, allowed: [CC-BY-4.0, Apache-2.0]}"
        ])
        var manifest = ManifestText()
        manifest.datasets = """
            [{name: "open", license: "cc-by-4.0", personalData: false}, \
            {name: "scraped", license: "LicenseRef-Unknown", personalData: false}]
            """
        #expect(try evaluate(policy, manifest).statuses("L") == [.fail, .pass])
        #expect(try evaluate(policy, ManifestText()).statuses("L") == [.pass])
        manifest.datasets = nil
        let undeclared = try #require(try evaluate(policy, manifest).findings("L").first)
        #expect(undeclared.status == .fail)
        #expect(undeclared.observed == "not declared")
        #expect(undeclared.pointer == "/predicate/lineage/datasets")
    }

    @Test func personalData() throws {
        let lenient = try inlinePolicy(["{id: P, type: lineage.personal-data, severity: high}"])
        let strict = try inlinePolicy([
            "{id: P, type: lineage.personal-data, severity: high, allowWithLawfulBasis: false}"
        ])
        var manifest = ManifestText()
        manifest.datasets = """
            [{name: "chats", license: "MIT", personalData: true, lawfulBasis: "GDPR Art. 6(1)(f)"}, \
            {name: "forms", license: "MIT", personalData: true}, {name: "code", license: "MIT", personalData: false}]
            """
        #expect(try evaluate(lenient, manifest).statuses("P") == [.fail, .pass, .pass])
        let failure = try evaluate(lenient, manifest).findings("P").first
        #expect(failure?.pointer == "/predicate/lineage/datasets/1/personalData")
        #expect(try evaluate(strict, manifest).statuses("P") == [.fail, .fail, .pass])
        manifest.datasets = nil
        #expect(try evaluate(lenient, manifest).statuses("P") == [.fail])
    }

    @Test func distillationTerms() throws {
        let policy = try inlinePolicy(["{id: D, type: lineage.distillation-terms, severity: high}"])
        func teacher(_ permitted: Bool) -> String {
            "[{model: \"big-teacher\", developer: {name: \"Teacher Models\", country: \"US\"}, "
                + "termsPermitDistillation: \(permitted)}]"
        }
        var manifest = ManifestText()
        manifest.distillationSources = teacher(true)
        #expect(try evaluate(policy, manifest).statuses("D") == [.pass])
        manifest.distillationSources = teacher(false)
        let finding = try #require(try evaluate(policy, manifest).findings("D").first)
        #expect(finding.status == .fail)
        #expect(finding.pointer == "/predicate/lineage/distillationSources/0/termsPermitDistillation")
        manifest.distillationSources = nil
        #expect(try evaluate(policy, manifest).statuses("D") == [.notApplicable])
        manifest.parents = Self.parent("distillation")
        let undeclared = try #require(try evaluate(policy, manifest).findings("D").first)
        #expect(undeclared.status == .fail)
        #expect(undeclared.observed == "not declared")
    }

    @Test func parentsSigned() throws {
        let policy = try inlinePolicy(["{id: S, type: lineage.parents-signed, severity: high}"])
        var manifest = ManifestText()
        manifest.parents = Self.parent("fine-tune")
        #expect(try evaluate(policy, manifest).statuses("S") == [.pass])
        manifest.parents = Self.parent("fine-tune", digest: false)
        let finding = try #require(try evaluate(policy, manifest).findings("S").first)
        #expect(finding.status == .fail)
        #expect(finding.message == "parent acme-base-7b has no signed manifest: hidden lineage")
        #expect(finding.pointer == "/predicate/lineage/parents/0/manifestDigest")
        #expect(try evaluate(policy, ManifestText()).statuses("S") == [.pass])
    }

    /// A resolved ancestry: `statuses[i]` is the link at depth `i + 1`.
    static func lineage(_ statuses: [LineageResolver.Link.Status]) -> LineageResolver.Result {
        var path = ["acme-chat-7b 1.0.0"]
        let links = statuses.enumerated().map { index, status in
            path.append("ancestor-\(index + 1)")
            return LineageResolver.Link(
                path: path, name: "ancestor-\(index + 1)", relation: "fine-tune", digest: ManifestText.parentDigest,
                status: status, detail: status.rawValue, statement: nil, depth: index + 1,
                pointer: "/predicate/lineage/parents/0/manifestDigest")
        }
        let tree = LineageNode(
            name: "acme-chat-7b 1.0.0", relation: nil, manifestSHA256: PolicyFixture.envelopeSHA256,
            status: "verified", developer: "Acme AI", parents: [])
        return LineageResolver.Result(links: links, tree: tree)
    }

    @Test func ancestorsVerified() throws {
        let policy = try inlinePolicy(["{id: V, type: lineage.ancestors-verified, severity: critical}"])
        var manifest = ManifestText()
        manifest.parents = Self.parent("fine-tune")
        let verified = try evaluate(policy, manifest, lineage: Self.lineage([.verified, .verified]))
        #expect(verified.statuses("V") == [.pass, .pass])
        let broken = try evaluate(policy, manifest, lineage: Self.lineage([.verified, .untrusted]))
        let failure = try #require(broken.findings("V").first)
        #expect(failure.status == .fail)
        #expect(failure.path == ["acme-chat-7b 1.0.0", "ancestor-1", "ancestor-2"])
        #expect(failure.observed == "untrusted")
        #expect(try evaluate(policy, ManifestText(), lineage: Self.lineage([])).statuses("V") == [.pass])
        // Lineage that was not resolved is "could not evaluate", never a pass.
        let unresolved = try evaluate(policy, manifest)
        #expect(unresolved.statuses("V") == [.error])
        #expect(unresolved.verdict == .couldNotEvaluate)
    }

    @Test func maxDepth() throws {
        let policy = try inlinePolicy(["{id: D, type: lineage.max-depth, severity: medium, maxDepth: 1}"])
        var manifest = ManifestText()
        manifest.parents = Self.parent("fine-tune")
        #expect(try evaluate(policy, manifest, lineage: Self.lineage([.verified])).statuses("D") == [.pass])
        let deep = try #require(
            try evaluate(policy, manifest, lineage: Self.lineage([.verified, .verified])).findings("D").first)
        #expect(deep.status == .fail)
        #expect(deep.observed == "2")
        #expect(deep.path == ["acme-chat-7b 1.0.0", "ancestor-1", "ancestor-2"])
        #expect(try evaluate(policy, manifest).statuses("D") == [.error])
    }
}

// MARK: - Rule types: custody

@Suite("Policy rules: custody")
struct CustodyRuleTests {
    /// A verified chain of custody: one record per `(action, roles, country)`.
    static func custody(
        _ hops: [(CustodyAction, [TrustRole], String)], problems: [CustodyProblem] = []
    ) -> CustodyVerification {
        let subject = [Subject(name: "model.safetensors", sha256: ManifestText.zeros)]
        let records = hops.enumerated().map { index, hop in
            let predicate = CustodyPredicate(
                action: hop.0, actor: LegalEntity(name: "Custodian \(index + 1)", country: hop.2), country: hop.2,
                location: nil, time: "2026-05-0\(index + 1)T00:00:00Z",
                previous: DigestSet(sha256: String(repeating: "\(index)", count: 64)),
                manifest: DigestSet(sha256: PolicyFixture.envelopeSHA256), inputs: nil, note: nil)
            return CustodyVerification.Record(
                line: index + 1, sha256: String(repeating: "c\(index)", count: 32),
                statement: CustodyStatement(subject: subject, predicate: predicate),
                signerKeyID: "sha256:custodian-\(index)", signerOwner: "Custodian \(index + 1)",
                signerRoles: hop.1)
        }
        return CustodyVerification(
            bundle: "model.custody.jsonl", chain: records, problems: problems, finalSubject: subject,
            recordCount: records.count)
    }

    static let goodChain: [(CustodyAction, [TrustRole], String)] = [
        (.published, [.developer], "US"), (.mirrored, [.host], "DE"), (.deployed, [.deployer], "US"),
    ]

    @Test func requiredChainPassesFailsAndIsNotDeclaredWithoutRecords() throws {
        let policy = try inlinePolicy(["{id: C, type: custody.required, severity: critical}"])
        let good = try evaluate(policy, ManifestText(), custody: Self.custody(Self.goodChain))
        #expect(good.statuses("C") == [.pass, .pass])
        #expect(good.statuses(IntegrityChecks.custodyRule) == [.pass])
        let unfinished = try evaluate(
            policy, ManifestText(), custody: Self.custody([(.published, [.developer], "US"), (.hosted, [.host], "US")]))
        #expect(unfinished.statuses("C") == [.fail, .pass])
        #expect(unfinished.findings("C").first?.expected == "deployed, signed by deployer")
        let none = try #require(try evaluate(policy, ManifestText()).findings("C").first)
        #expect(none.status == .fail)
        #expect(none.observed == "not declared")
        #expect(none.pointer == "/custody")
    }

    @Test func brokenChainFailsTheRuleAndTheUnwaivableIntegrityCheck() throws {
        let policy = try inlinePolicy(["{id: C, type: custody.required, severity: critical}"])
        let problem = CustodyProblem(line: 2, kind: .gap, message: "previous names no record in the bundle")
        let report = try evaluate(policy, ManifestText(), custody: Self.custody(Self.goodChain, problems: [problem]))
        #expect(report.statuses("C").contains(.fail))
        #expect(report.statuses(IntegrityChecks.custodyRule) == [.fail])
        #expect(report.findings(IntegrityChecks.custodyRule).first?.pointer == "/custody/2")
    }

    @Test func authorizedRoles() throws {
        let policy = try inlinePolicy([
            "{id: R, type: custody.authorized-roles, severity: high, "
                + "actions: {published: [developer, publisher], mirrored: [host], deployed: [deployer]}}"
        ])
        #expect(try evaluate(policy, ManifestText(), custody: Self.custody(Self.goodChain)).statuses("R")
            == [.pass, .pass, .pass])
        let rogue = Self.custody([(.published, [.developer], "US"), (.mirrored, [.deployer], "US")])
        let finding = try #require(try evaluate(policy, ManifestText(), custody: rogue).findings("R").first)
        #expect(finding.status == .fail)
        #expect(finding.expected == "host")
        #expect(finding.pointer == "/custody/2")
        #expect(try evaluate(policy, ManifestText()).statuses("R") == [.notApplicable])
    }

    @Test func hopCountries() throws {
        let policy = try inlinePolicy(["{id: H, type: custody.hop-countries, severity: high, deny: [CN]}"])
        #expect(try evaluate(policy, ManifestText(), custody: Self.custody(Self.goodChain)).statuses("H")
            == [.pass, .pass, .pass])
        let viaCN = Self.custody([(.published, [.developer], "US"), (.mirrored, [.host], "CN")])
        let finding = try #require(try evaluate(policy, ManifestText(), custody: viaCN).findings("H").first)
        #expect(finding.status == .fail)
        #expect(finding.observed == "CN")
        #expect(try evaluate(policy, ManifestText()).statuses("H") == [.notApplicable])
    }
}

// MARK: - Coverage and schema

@Suite("Policy: rule coverage and the published schema")
struct PolicyCoverageTests {
    /// Every rule type the tests above cover; a new type must get its fixtures here.
    static let covered: Set<String> = [
        "signatures.required-roles", "signatures.threshold", "signatures.algorithms", "vendors.allow",
        "vendors.deny", "screening.entity-lists", "jurisdictions.countries", "retention.max-days",
        "retention.no-training", "retention.deletion-on-request", "retention.forbidden-collection",
        "retention.storage-countries", "audits.required", "lineage.forbidden-relations",
        "lineage.dataset-licenses", "lineage.personal-data", "lineage.distillation-terms", "lineage.parents-signed",
        "lineage.ancestors-verified", "lineage.max-depth", "custody.required", "custody.authorized-roles",
        "custody.hop-countries",
        // TextAndSARIFReportTests.artifactsRequired, and the sample policies end to end.
        "artifacts.required",
    ]

    @Test func everyRegisteredRuleTypeHasTests() {
        #expect(Set(PolicyCheckRegistry.typeNames) == Self.covered)
    }

    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: PolicyFixture.packagePath("schemas/policy.schema.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func definitions() throws -> [String: Any] {
        try #require(try schema()["$defs"] as? [String: Any])
    }

    static func enumeration(_ name: String) throws -> [String] {
        let definition = try #require(try definitions()[name] as? [String: Any], "no $defs/\(name)")
        return try #require(definition["enum"] as? [String], "$defs/\(name) has no enum")
    }

    @Test func schemaHasADefinitionPerRuleType() throws {
        let definitions = try Self.definitions()
        for type in PolicyCheckRegistry.typeNames {
            let definition = try #require(definitions[type] as? [String: Any], "no $defs entry for \(type)")
            let properties = try #require(definition["properties"] as? [String: Any])
            let typeProperty = try #require(properties["type"] as? [String: Any])
            #expect(typeProperty["const"] as? String == type)
            #expect(definition["additionalProperties"] as? Bool == false, "\(type)")
        }
    }

    @Test func schemaEnumsMatchTheSources() throws {
        #expect(Set(try Self.enumeration("country")) == CountryCode.all)
        #expect(try Self.enumeration("country").count == 249)
        #expect(try Self.enumeration("trustRole") == TrustRole.allCases.map(\.rawValue))
        #expect(try Self.enumeration("signatureScheme") == SignatureScheme.allCases.map(\.rawValue))
        #expect(try Self.enumeration("dataCategory") == DataCategory.allCases.map(\.rawValue))
        #expect(try Self.enumeration("lineageRelation") == LineageRelation.allCases.map(\.rawValue))
        #expect(try Self.enumeration("jurisdictionRole") == JurisdictionRole.allCases.map(\.rawValue))
        #expect(try Self.enumeration("deploymentScope") == DeploymentScope.allCases.map(\.rawValue))
        #expect(try Self.enumeration("partyRole") == PartyRole.allCases.map(\.rawValue))
        #expect(try Self.enumeration("vendorSubject") == VendorSubject.allCases.map(\.rawValue))
        #expect(try Self.enumeration("custodyAction") == CustodyAction.allCases.map(\.rawValue))
        #expect(try Self.enumeration("severity") == Severity.allCases.map(\.rawValue))
        #expect(try Self.enumeration("enforcement") == Enforcement.allCases.map(\.rawValue))
        #expect(try Self.enumeration("mode") == PolicyMode.allCases.map(\.rawValue))
    }

    @Test func schemaTopLevelMembersMatchTheLoader() throws {
        let properties = try #require(try Self.schema()["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(PolicyLoader.topLevelKeys))
    }
}

// MARK: - Loading: fail closed

/// A malformed fixture and every problem the loader must report for it.
struct MalformedPolicyCase: Sendable, CustomTestStringConvertible {
    let file: String
    /// `(pointer, text the message contains)`, one per problem, in any order.
    let problems: [(pointer: String, message: String)]

    var testDescription: String { file }
}

@Suite("Policy loading fails closed")
struct PolicyLoadingTests {
    static let cases: [MalformedPolicyCase] = [
        MalformedPolicyCase(file: "unknown-top-level-key.yaml", problems: [("/rule", "unknown member \"rule\"")]),
        MalformedPolicyCase(
            file: "unknown-rule-key.yaml", problems: [("/rules/0/countries", "unknown member \"countries\"")]),
        MalformedPolicyCase(
            file: "unknown-rule-type.yaml",
            problems: [("/rules/0/type", "unknown rule type \"jurisdictions.country\" (one of artifacts.required, audits.required")]),
        MalformedPolicyCase(
            file: "invalid-country.yaml",
            problems: [
                ("/rules/0/deny/0", "\"China\" is not an ISO 3166-1 alpha-2 country code"),
                ("/rules/0/deny/1", "\"cn\" must be upper case (CN)"),
                ("/rules/0/deny/2", "\"uk\" is not an assigned ISO 3166-1 alpha-2 country code"),
            ]),
        MalformedPolicyCase(
            file: "waiver-missing-rule.yaml",
            problems: [("/waivers/0/rule", "no rule with id \"JUR-DEVELOPER\" in the policy")]),
        MalformedPolicyCase(
            file: "waiver-integrity-rule.yaml",
            problems: [("/waivers/0/rule", "\"integrity.signatures\" cannot be waived")]),
        MalformedPolicyCase(
            file: "waiver-no-expiry.yaml", problems: [("/waivers/0/expires", "required member is missing")]),
        MalformedPolicyCase(
            file: "waiver-name-only.yaml",
            problems: [("/waivers/0/model", "a waiver that selects the model by \"name\" alone would also apply to "
                + "another developer's model of the same name: add \"developer\" (the developer as its signing key's "
                + "owner in the trust store, e.g. model: {name: \"acme-chat-7b\", developer: \"<developer>\"}) or "
                + "\"digest\" (sha256 of one signed envelope)")]),
        MalformedPolicyCase(
            file: "duplicate-rule-ids.yaml", problems: [("/rules/1/id", "duplicate rule id \"JUR-DEV\"")]),
        MalformedPolicyCase(
            file: "missing-screening-list.yaml",
            problems: [("/screeningLists/0/file", "no-such-list.csv: cannot read screening list: no such file")]),
        MalformedPolicyCase(
            file: "extends-cycle-a.yaml",
            problems: [("extends-cycle-a.yaml#", "extends cycle: ")]),
        MalformedPolicyCase(
            file: "every-problem.yaml",
            problems: [
                ("/owner", "unknown member \"owner\""),
                ("/rules/1/id", "duplicate rule id \"JUR-DEV\""),
                ("/rules/0/deny/0", "\"China\" is not an ISO 3166-1 alpha-2 country code"),
                ("/rules/1/scope", "\"hosted\" is not one of \"any\", \"hosted-service\", \"self-hosted\""),
                ("/rules/2/type", "unknown rule type \"audits.require\""),
                ("/rules/3/severity", "\"extreme\" is not one of"),
                ("/waivers/0/expires", "required member is missing"),
                ("/waivers/0/rule", "\"integrity.signatures\" cannot be waived"),
            ]),
    ]

    @Test(arguments: PolicyLoadingTests.cases)
    func malformedPolicyListsEveryProblem(_ testCase: MalformedPolicyCase) throws {
        let problems = try #require(loadProblems(PolicyFixture.path("malformed/\(testCase.file)")))
        #expect(problems.count == testCase.problems.count, "\(problems)")
        for expected in testCase.problems {
            #expect(
                problems.contains { $0.pointer == expected.pointer && $0.message.contains(expected.message) },
                "missing \(expected.pointer): \(expected.message) in \(problems)")
        }
    }

    @Test func theErrorNamesThePolicyAndCountsItsProblems() throws {
        let path = PolicyFixture.path("malformed/every-problem.yaml")
        let error = try #require(throws: InvalidDocumentError.self) { try PolicyLoader.load(path: path) }
        #expect(error.description.hasPrefix("policy \(path) is invalid (8 problems):\n"))
    }

    @Test func cycleNamesBothFiles() throws {
        let problems = try #require(loadProblems(PolicyFixture.path("malformed/extends-cycle-b.yaml")))
        let message = try #require(problems.first?.message)
        #expect(message.contains("extends-cycle-a.yaml → "))
        #expect(message.contains("extends-cycle-b.yaml → "))
    }

    @Test func everyValidFixtureLoads() {
        for file in ["base.yaml", "extends-override.yaml", "screening.yaml", "waivers.yaml", "minimal.json"] {
            #expect(loadProblems(PolicyFixture.path("valid/\(file)")) == nil, "\(file)")
        }
        #expect(loadProblems(PolicyFixture.packagePath("policies/enterprise-default.yaml")) == nil)
    }

    @Test func aPatchOfARuleTheBaseDoesNotHaveIsRefused() throws {
        let scratch = try PolicyScratch()
        try scratch.write("base.yaml", "version: 1\nrules: []\n")
        let path = try scratch.write(
            "policy.yaml", "version: 1\nname: p\nextends: base.yaml\nrules:\n  - {id: TYPO, enforcement: off}\n")
        let problems = try #require(loadProblems(path))
        #expect(problems.map(\.pointer) == ["/rules/0/id"])
        #expect(problems.first?.message.contains("no rule \"TYPO\" in base.yaml to patch") == true)
    }

    @Test func aProblemInABaseFileCarriesItsName() throws {
        let scratch = try PolicyScratch()
        try scratch.write("base.yaml", "version: 1\nrules:\n  - {id: X, type: nope, severity: high}\n")
        let path = try scratch.write("policy.yaml", "version: 1\nname: p\nextends: base.yaml\n")
        let problems = try #require(loadProblems(path))
        #expect(problems.map(\.pointer) == ["base.yaml#/rules/0/type"])
    }

    @Test func integrityIDsAreReservedForRules() throws {
        let problems = try #require(
            try inlineProblems(
                "version: 1\nname: p\nrules:\n"
                    + "  - {id: integrity.manifest, type: lineage.parents-signed, severity: low}\n"))
        #expect(problems.map(\.message) == ["\"integrity.manifest\" is reserved for the built-in integrity checks"])
    }

    @Test func jurisdictionRulesNeedExactlyOneCountryList() throws {
        let problems = try #require(
            try inlineProblems(
                """
                version: 1
                name: p
                rules:
                  - {id: A, type: jurisdictions.countries, severity: high, role: host, allow: [US], deny: [CN]}
                  - {id: B, type: jurisdictions.countries, severity: high, role: host}

                """))
        #expect(problems.map(\.pointer) == ["/rules/0", "/rules/1"])
        #expect(problems.allSatisfy { $0.message.hasPrefix("give exactly one of \"allow\" or \"deny\"") })
    }

    /// An empty list would make a rule's parser give up (the rule would vanish) or match nothing (an empty deny
    /// list denies nothing): either way the policy would fail open, so it is a problem at the rule or the list.
    @Test func anEmptyParameterListIsAProblemNotASilentlyDroppedRule() throws {
        let rules: [(rule: String, pointer: String)] = [
            ("{id: A, type: signatures.algorithms, severity: high, allowed: []}", "/rules/0"),
            ("{id: B, type: audits.required, severity: high, frameworks: []}", "/rules/0"),
            ("{id: C, type: lineage.forbidden-relations, severity: high, relations: []}", "/rules/0"),
            ("{id: D, type: lineage.dataset-licenses, severity: high, allowed: []}", "/rules/0"),
            ("{id: E, type: vendors.allow, severity: high, subjects: [], vendors: [{name: X}]}", "/rules/0"),
            ("{id: F, type: jurisdictions.countries, severity: high, role: developer, deny: []}", "/rules/0/deny"),
            ("{id: G, type: retention.max-days, severity: high, limits: {}}", "/rules/0/limits"),
        ]
        for (rule, pointer) in rules {
            let problems = try inlineProblems("version: 1\nname: p\nrules:\n  - \(rule)\n")
            #expect(problems?.map(\.pointer) == [pointer], "\(rule)")
        }
    }
}

// MARK: - extends, enforcement, waivers, modes

@Suite("Policy: extends, enforcement, waivers, modes")
struct PolicyCompositionTests {
    static func teamPolicy() throws -> Policy {
        try PolicyLoader.load(path: PolicyFixture.path("valid/extends-override.yaml"))
    }

    @Test func extendsMergesByIDReplacingAndPatching() throws {
        let policy = try Self.teamPolicy()
        #expect(policy.name == "Team policy")
        #expect(policy.mode == .audit)
        #expect(policy.rules.map(\.header.id) == ["JUR-DEV", "RET-MAX", "AUDIT-SOC2", "LIC", "SIG-DEV"])
        #expect(policy.sources.map { URL(fileURLWithPath: $0.file).lastPathComponent }
            == ["extends-override.yaml", "base.yaml"])
        let replaced = try #require(policy.rules.first)
        #expect(replaced.header.title == "The developer is incorporated in the US")
        #expect(replaced.header.severity == .critical)
        #expect(replaced.header.controls.isEmpty, "a replacement does not inherit the base's controls")
        let patched = try #require(policy.rules.first { $0.header.id == "AUDIT-SOC2" })
        #expect(patched.header.enforcement == .enforce)
        #expect(patched.header.severity == .high)
        #expect(patched.type == "audits.required")
        #expect(policy.rules.first { $0.header.id == "RET-MAX" }?.header.enforcement == .off)
    }

    @Test func replacedAndPatchedRulesEvaluateAsMerged() throws {
        var manifest = ManifestText.managedService()
        manifest.developer = #"{name: "Example AI", country: "DE"}"#
        manifest.datasets = #"[{name: "open", license: "CC-BY-4.0", personalData: false}]"#
        let report = try evaluate(try Self.teamPolicy(), manifest)
        // The replacement allows only US (the base denied only CN).
        #expect(report.statuses("JUR-DEV") == [.fail])
        // `enforcement: off` removes the rule's findings; the base would fail "what happens to prompts".
        #expect(report.findings("RET-MAX").isEmpty)
        // The patch turns the base's warning into an enforced failure.
        #expect(report.statuses("AUDIT-SOC2") == [.fail])
        #expect(report.findings("AUDIT-SOC2").first?.severity == .high)
        // A patched parameter: the base allowed CC-BY-4.0, the team policy only MIT.
        #expect(report.statuses("LIC") == [.fail])

        let base = try PolicyLoader.load(path: PolicyFixture.path("valid/base.yaml"))
        let baseReport = try evaluate(base, manifest)
        #expect(baseReport.statuses("JUR-DEV") == [.pass])
        #expect(baseReport.statuses("RET-MAX") == [.fail])
        #expect(baseReport.statuses("AUDIT-SOC2") == [.warn])
        #expect(baseReport.statuses("LIC") == [.pass])
    }

    @Test func warnTurnsFailuresAndErrorsIntoWarnings() throws {
        let policy = try inlinePolicy([
            "{id: W, type: jurisdictions.countries, severity: high, enforcement: warn, role: developer, deny: [US]}",
            "{id: E, type: lineage.ancestors-verified, severity: high, enforcement: warn}",
        ])
        var manifest = ManifestText()
        manifest.parents = LineageRuleTests.parent("fine-tune")
        let report = try evaluate(policy, manifest)
        #expect(report.statuses("W") == [.warn])
        #expect(report.statuses("E") == [.warn])
        #expect(report.findings("W").first?.message == "developer Acme AI is in US, which the policy does not allow")
        #expect(report.verdict == .compliant)
    }

    @Test func offRulesProduceNoFindings() throws {
        let policy = try inlinePolicy([
            "{id: O, type: jurisdictions.countries, severity: high, enforcement: off, role: developer, deny: [US]}"
        ])
        let report = try evaluate(policy, ManifestText())
        #expect(report.findings("O").isEmpty)
        #expect(report.verdict == .compliant)
    }

    static func waiverModel() -> ManifestText {
        var manifest = ManifestText.managedService(retention: "[\(ManifestText.term("prompts", days: 90))]")
        manifest.name = "acme-chat-cn"
        manifest.developer = #"{name: "Example AI", country: "CN"}"#
        return manifest
    }

    /// Example AI's developer key, as the trust store names its owner.
    static let exampleAISigner = SignatureCheck(
        index: 0, keyIDHint: nil, outcome: .verified, keyID: "sha256:example-ai", owner: "Example AI Co., Ltd.",
        roles: [.developer], scheme: .ed25519)

    @Test func waiversAppliedExpiredAndUnused() throws {
        let policy = try PolicyLoader.load(path: PolicyFixture.path("valid/waivers.yaml"))
        let evaluator = PolicyEvaluator(policy: policy, time: PolicyFixture.time)
        let report = try evaluate(policy, Self.waiverModel(), signatures: [Self.exampleAISigner], evaluator: evaluator)

        // Applied: the finding stays visible, as waived, with who approved it and until when.
        let waived = try #require(report.findings("JUR-DEV").first)
        #expect(waived.status == .waived)
        #expect(waived.message == "developer Example AI is in CN, which the policy does not allow")
        #expect(waived.waiver == WaiverNote(
            justification: "Evaluated in an isolated sandbox only", approver: "risk-committee@example.com",
            expires: "2026-12-31"))
        // Expired: the failure stands.
        #expect(report.statuses("RET-MAX") == [.fail])
        #expect(report.findings("RET-MAX").first?.waiver == nil)
        #expect(report.verdict == .nonCompliant)
        // The digest-selected waiver names another envelope: the failure stands here.
        #expect(report.statuses("SIG-AUDITOR") == [.fail])

        let states = Dictionary(
            evaluator.waiverReports(for: [report]).map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(states["JUR-DEV"]?.state == .applied)
        #expect(states["JUR-DEV"]?.appliedTo == ["acme-chat-cn.json"])
        #expect(states["RET-MAX"]?.state == .expired)
        #expect(states["RET-MAX"]?.appliedTo == ["acme-chat-cn.json"])
        #expect(states["DISTILL"]?.state == .unused)
        #expect(states["DISTILL"]?.model == "name=some-other-model, developer=Example AI")
        #expect(states["SIG-AUDITOR"]?.state == .unused)
    }

    @Test func waiverSelectsByEnvelopeDigest() throws {
        let policy = try PolicyLoader.load(path: PolicyFixture.path("valid/waivers.yaml"))
        let evaluator = PolicyEvaluator(policy: policy, time: PolicyFixture.time)
        let digest = String(repeating: "1", count: 64)
        let report = try evaluate(policy, Self.waiverModel(), envelopeSHA256: digest, evaluator: evaluator)
        #expect(report.statuses("SIG-AUDITOR") == [.waived])
        let state = try #require(evaluator.waiverReports(for: [report]).first { $0.rule == "SIG-AUDITOR" })
        #expect(state.state == .applied)
        #expect(state.model == "sha256:\(digest)")
    }

    /// A waiver for Acme's model must not follow the name to another developer's model.
    static let acmeWaiver = "{rule: J, model: {name: \"acme-chat-7b\", developer: \"Acme AI\"}, justification: j, "
        + "approver: a, expires: \"2026-12-31\"}"

    static func signer(_ owner: String, roles: [TrustRole] = [.developer]) -> SignatureCheck {
        SignatureCheck(
            index: 0, keyIDHint: nil, outcome: .verified, keyID: "sha256:\(owner)", owner: owner, roles: roles,
            scheme: .ed25519)
    }

    @Test func waiverByDeveloperAppliesToThatDevelopersSignedModel() throws {
        let policy = try inlinePolicy(
            ["{id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [US]}"],
            waivers: [Self.acmeWaiver])
        // The trust-store owner is compared after normalisation: "Acme AI, Inc." is Acme AI.
        let report = try evaluate(policy, ManifestText(), signatures: [Self.signer("Acme AI, Inc.")])
        #expect(report.statuses("J") == [.waived])
        #expect(policy.waivers.first?.selector == "name=acme-chat-7b, developer=Acme AI")
    }

    @Test func waiverDoesNotFollowTheNameToAnotherDeveloper() throws {
        let policy = try inlinePolicy(
            ["{id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [US]}"],
            waivers: [Self.acmeWaiver])
        // Evil ships a model under Acme's model name, signed by Evil's own trusted developer key.
        var evil = ManifestText()
        evil.developer = #"{name: "Evil Corp", country: "US", affiliations: []}"#
        let evaluator = PolicyEvaluator(policy: policy, time: PolicyFixture.time)
        let report = try evaluate(policy, evil, signatures: [Self.signer("Evil Corp")], evaluator: evaluator)
        #expect(report.statuses("J") == [.fail])
        #expect(report.verdict == .nonCompliant)
        #expect(evaluator.waiverReports(for: [report]).first?.state == .unused)
        // Claiming Acme as the developer does not help without Acme's key…
        var claimed = ManifestText()
        claimed.developer = #"{name: "Acme AI", country: "US", affiliations: []}"#
        #expect(try evaluate(policy, claimed, signatures: [Self.signer("Evil Corp")]).statuses("J") == [.fail])
        // …nor does Acme's key held for another role: the waiver binds to Acme as developer.
        #expect(try evaluate(policy, claimed, signatures: [Self.signer("Acme AI", roles: [.host])]).statuses("J")
            == [.fail])
        // …nor Acme's developer key on a manifest that declares another developer.
        #expect(try evaluate(policy, evil, signatures: [Self.signer("Acme AI")]).statuses("J") == [.fail])
        // A signature that did not verify counts for nothing.
        let rejected = SignatureCheck(
            index: 1, keyIDHint: nil, outcome: .keyNotValid(.revoked), keyID: "sha256:acme", owner: "Acme AI",
            roles: [.developer], scheme: .ed25519)
        #expect(try evaluate(policy, claimed, signatures: [Self.signer("Evil Corp"), rejected]).statuses("J")
            == [.fail])
    }

    @Test func waiverByDeveloperAloneCoversEveryModelOfThatDeveloper() throws {
        let waiver = "{rule: J, model: {developer: \"ACME AI INC\"}, justification: j, approver: a, "
            + "expires: \"2026-12-31\"}"
        let policy = try inlinePolicy(
            ["{id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [US]}"], waivers: [waiver])
        var other = ManifestText()
        other.name = "acme-other-model"
        #expect(try evaluate(policy, other, signatures: [Self.signer("Acme AI, Inc.")]).statuses("J") == [.waived])
    }

    @Test func waiverThatNamesNoDeveloperIsRefused() throws {
        let text = """
            version: 1
            name: "p"
            rules:
              - {id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [US]}
            waivers:
              - {rule: J, model: {developer: "Inc."}, justification: j, approver: a, expires: "2026-12-31"}
              - {rule: J, model: {}, justification: j, approver: a, expires: "2026-12-31"}
            """
        let problems = try #require(try inlineProblems(text))
        #expect(problems.map(\.pointer) == ["/waivers/0/model/developer", "/waivers/1/model"])
        #expect(problems.first?.message.contains("names no developer") == true)
        #expect(problems.last?.message.hasPrefix("name the model: add \"developer\"") == true)
    }

    @Test func aDateOnlyExpiryLastsToTheEndOfTheDay() throws {
        let waiver = "{rule: J, model: {digest: \"\(PolicyFixture.envelopeSHA256)\"}, justification: j, approver: a, "
            + "expires: \"2026-06-01\"}"
        let policy = try inlinePolicy(
            ["{id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [US]}"], waivers: [waiver])
        #expect(try evaluate(policy, ManifestText()).statuses("J") == [.waived])
        let nextDay = PolicyEvaluator(policy: policy, time: PolicyFixture.time.addingTimeInterval(86_400))
        #expect(try evaluate(policy, ManifestText(), evaluator: nextDay).statuses("J") == [.fail])
    }

    @Test func auditModeIsReportedWhileTheVerdictStaysNonCompliant() throws {
        let policy = try Self.teamPolicy()
        let evaluator = PolicyEvaluator(policy: policy, time: PolicyFixture.time)
        var manifest = ManifestText()
        manifest.developer = #"{name: "Example AI", country: "DE"}"#
        let model = try evaluate(policy, manifest, evaluator: evaluator)
        let report = AuditReport(
            evaluatedAt: PolicyFixture.time, mode: policy.mode ?? .enforce, policy: policy.info,
            trustStore: TrustStoreInfo(directory: "trust", sha256: ManifestText.zeros, keys: []),
            screeningLists: policy.screeningListInfo, models: [model],
            waivers: evaluator.waiverReports(for: [model]))
        #expect(report.mode == .audit)
        #expect(report.verdict == .nonCompliant)
    }

    @Test func integrityFindingsComeFirstAndNoPolicyRuleRunsOnAnUnverifiedManifest() throws {
        let policy = try inlinePolicy([
            "{id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [CN]}"
        ])
        let rejected = SignatureCheck(
            index: 0, keyIDHint: nil, outcome: .rejected("no trusted key verifies it"), keyID: nil, owner: nil,
            roles: [], scheme: nil)
        let report = try evaluate(policy, ManifestText(), signatures: [rejected])
        #expect(report.statuses(IntegrityChecks.signatureRule) == [.fail])
        #expect(report.findings("J").isEmpty)
        #expect(report.statuses("policy") == [.notApplicable])
        #expect(report.verdict == .nonCompliant)
    }
}

// MARK: - Determinism

@Suite("Policy: deterministic findings and reports")
struct PolicyDeterminismTests {
    static let rules = [
        "{id: Z-JUR, type: jurisdictions.countries, severity: high, role: data-flow-recipient, deny: [CN]}",
        "{id: A-RET, type: retention.max-days, severity: medium, limits: {prompts: 30, outputs: 30}}",
        "{id: M-SIG, type: signatures.required-roles, severity: critical, roles: [developer, publisher]}",
        "{id: B-AUD, type: audits.required, severity: low, enforcement: warn, frameworks: [\"ISO/IEC 42001\"]}",
    ]

    static func manifest() -> ManifestText {
        ManifestText.managedService(
            flows: "[\(ManifestText.flow("prompts", to: "Example Telemetry", in: "CN"))]",
            retention: "[\(ManifestText.term("prompts", days: 90))]")
    }

    @Test func findingsAreSortedWhateverTheRuleOrder() throws {
        let forward = try evaluate(try inlinePolicy(Self.rules), Self.manifest())
        let backward = try evaluate(try inlinePolicy(Array(Self.rules.reversed())), Self.manifest())
        #expect(forward.findings == backward.findings)
        #expect(forward.findings == Finding.sorted(forward.findings))
        let statuses = forward.findings.map(\.status)
        #expect(statuses == statuses.sorted())
        let failures = forward.findings.filter { $0.status == .fail }
        #expect(failures.map(\.ruleID) == ["M-SIG", "Z-JUR", "Z-JUR", "A-RET", "A-RET"])
    }

    static func jsonReport() throws -> [UInt8] {
        let policy = try PolicyLoader.load(path: PolicyFixture.path("valid/waivers.yaml"))
        let evaluator = PolicyEvaluator(policy: policy, time: PolicyFixture.time)
        let model = try evaluate(
            policy, PolicyCompositionTests.waiverModel(), signatures: [PolicyCompositionTests.exampleAISigner],
            evaluator: evaluator)
        let report = AuditReport(
            evaluatedAt: PolicyFixture.time, mode: .enforce, policy: policy.info,
            trustStore: TrustStoreInfo(directory: "trust", sha256: ManifestText.zeros, keys: ["sha256:b", "sha256:a"]),
            screeningLists: policy.screeningListInfo, models: [model],
            waivers: evaluator.waiverReports(for: [model]))
        return try JSONReportRenderer().render(report)
    }

    @Test func jsonReportIsByteIdenticalForTheSameTime() throws {
        let first = try Self.jsonReport()
        let second = try Self.jsonReport()
        #expect(first == second)
        #expect(String(decoding: first, as: UTF8.self).contains("2026-06-01T00:00:00Z"))
    }
}

// MARK: - audit policy test

@Suite("Policy fixtures (audit policy test)")
struct PolicyTestSuiteTests {
    @Test func enterpriseDefaultCasesPass() throws {
        let policy = try PolicyLoader.load(path: PolicyFixture.packagePath("policies/enterprise-default.yaml"))
        let results = try PolicyTestSuite.run(
            directory: PolicyFixture.path("cases"), policy: policy, defaultTime: PolicyFixture.time)
        #expect(results.filter { !$0.passed }.isEmpty, "\(PolicyTestSuite.text(results))")
        #expect(Set(results.map(\.caseName)).count == 5)
        #expect(PolicyTestSuite.summaryLine(results) == "\(results.count) passed, 0 failed")
    }

    @Test func aCaseSignerOwnerIsWhatDeveloperWaiversSee() throws {
        let scratch = try PolicyScratch()
        let policyPath = try scratch.write("policy.yaml", """
            version: 1
            name: "p"
            rules:
              - {id: J, type: jurisdictions.countries, severity: high, role: developer, deny: [US]}
            waivers:
              - {rule: J, model: {developer: "Acme AI"}, justification: j, approver: a, expires: "2026-12-31"}
            """)
        let policy = try PolicyLoader.load(path: policyPath)
        let manifest = PolicyFixture.path("cases/manifests/compliant-self-hosted.yaml")
        func status(owner: String?) throws -> FindingStatus? {
            let signer = owner.map { ", owner: \"\($0)\"" } ?? ""
            let path = try scratch.write("case.yaml", """
                manifest: \(manifest)
                signers: [{roles: [developer]\(signer)}]
                expect: {J: waived}
                """)
            return try PolicyTestSuite.runCase(
                path: path, name: "case.yaml", policy: policy, defaultTime: PolicyFixture.time
            ).first?.actual
        }
        #expect(try status(owner: "Acme AI, Inc.") == .waived)
        #expect(try status(owner: "Evil Corp") == .fail)
        // Without an owner the signer is the declared developer ("the developer signed"), so the waiver applies.
        #expect(try status(owner: nil) == .waived)
    }

    @Test func aCaseNamingAnUnknownRuleIsInvalid() throws {
        let policy = try PolicyLoader.load(path: PolicyFixture.packagePath("policies/enterprise-default.yaml"))
        let scratch = try PolicyScratch()
        let manifest = PolicyFixture.path("cases/manifests/compliant-self-hosted.yaml")
        let path = try scratch.write("case.yaml", "manifest: \(manifest)\nexpect:\n  NO-SUCH-RULE: pass\n")
        let error = try #require(throws: InvalidDocumentError.self) {
            try PolicyTestSuite.runCase(path: path, name: "case.yaml", policy: policy, defaultTime: PolicyFixture.time)
        }
        #expect(error.problems.map(\.pointer) == ["/expect/NO-SUCH-RULE"])
    }
}

// MARK: - No quiet not-applicable

@Suite("Policy: nothing a manifest declares is quietly not applicable")
struct DeclaredEvidenceIsJudgedTests {
    /// Self-hosted weights that still name a provider and send prompts to a recipient in CN.
    static func selfHostedPhoningHome(retention: String = "[]") -> ManifestText {
        var manifest = ManifestText()
        manifest.hosting = """
            {mode: "self-hosted", provider: {name: "Example Cloud", country: "CN"}, \
            dataFlows: [\(ManifestText.flow("prompts", to: "Example Telemetry", in: "CN"))]}
            """
        manifest.dataRetention = retention
        return manifest
    }

    @Test func selfHostedDataFlowsAreJudgedEvenUnderAHostedServiceScope() throws {
        let policy = try inlinePolicy([
            "{id: F, type: jurisdictions.countries, severity: high, role: data-flow-recipient, "
                + "scope: hosted-service, deny: [CN]}",
            "{id: H, type: jurisdictions.countries, severity: high, role: host, scope: hosted-service, deny: [CN]}",
            "{id: D, type: jurisdictions.countries, severity: high, role: developer, scope: hosted-service, "
                + "deny: [CN]}",
        ])
        let report = try evaluate(policy, Self.selfHostedPhoningHome())
        #expect(report.statuses("F") == [.fail, .fail])
        #expect(report.findings("F").map(\.pointer) == [
            "/predicate/hosting/dataFlows/0/country", "/predicate/hosting/dataFlows/0/recipient/country",
        ])
        #expect(report.statuses("H") == [.fail])
        #expect(report.findings("H").first?.pointer == "/predicate/hosting/provider/country")
        // The developer is no service evidence: the scope still leaves it out for self-hosted weights.
        #expect(report.statuses("D") == [.notApplicable])
        // Self-hosted weights that declare neither stay not applicable.
        let quiet = try evaluate(policy, ManifestText())
        #expect(quiet.statuses("F") == [.notApplicable])
        #expect(quiet.statuses("H") == [.notApplicable])
    }

    @Test func selfHostedDataFlowsAreJudgedWithoutAScope() throws {
        let policy = try inlinePolicy([
            "{id: F, type: jurisdictions.countries, severity: high, role: data-flow-recipient, deny: [CN]}",
            "{id: V, type: vendors.deny, severity: high, subjects: [host], vendors: [{name: \"Example Cloud\"}]}",
        ])
        let report = try evaluate(policy, Self.selfHostedPhoningHome())
        #expect(report.statuses("F") == [.fail, .fail])
        #expect(report.statuses("V") == [.fail])
        #expect(report.verdict == .nonCompliant)
    }

    @Test func retentionOfAFlowFromSelfHostedWeightsMustBeDeclared() throws {
        let policy = try inlinePolicy([
            "{id: R, type: retention.max-days, severity: high, limits: {prompts: 30, outputs: 30}}"
        ])
        // Prompts leave the deployment: what happens to them must be declared. Outputs stay with the deployer.
        let report = try evaluate(policy, Self.selfHostedPhoningHome())
        #expect(report.statuses("R") == [.fail, .notApplicable])
        #expect(report.findings("R").first?.observed == "not declared")
        let declared = try evaluate(
            policy, Self.selfHostedPhoningHome(retention: "[\(ManifestText.term("prompts", days: 7))]"))
        #expect(declared.statuses("R") == [.pass, .notApplicable])
    }

    @Test func aDistilledParentWithAnEmptyListOfSourcesFails() throws {
        let policy = try inlinePolicy(["{id: D, type: lineage.distillation-terms, severity: high}"])
        var manifest = ManifestText()
        manifest.parents = LineageRuleTests.parent("distillation")
        manifest.distillationSources = "[]"
        let finding = try #require(try evaluate(policy, manifest).findings("D").first)
        #expect(finding.status == .fail)
        #expect(finding.message.hasPrefix("parent acme-base-7b is a distillation, but no distillation source"))
        #expect(finding.pointer == "/predicate/lineage/distillationSources")
        // A model without a distilled parent may say it has no teachers.
        manifest.parents = LineageRuleTests.parent("fine-tune")
        #expect(try evaluate(policy, manifest).statuses("D") == [.pass])
    }
}

/// A rule parameter that makes a rule impossible to fail, and what `policy check` must say about it.
struct IneffectiveParameterCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let pointer: String
    let says: String

    var testDescription: String { rule }
}

@Suite("Policy loading refuses rules that could never fail")
struct IneffectiveParameterTests {
    static let everyCountry = CountryCode.all.sorted().joined(separator: ", ")

    static let cases: [IneffectiveParameterCase] = [
        .init(rule: "{id: X, type: jurisdictions.countries, severity: high, role: data-flow-recipient, "
            + "categories: [], deny: [CN]}", pointer: "/rules/0/categories", says: "no data category is checked"),
        .init(rule: "{id: X, type: jurisdictions.countries, severity: high, role: developer, categories: [prompts], "
            + "deny: [CN]}", pointer: "/rules/0/categories", says: "does nothing for role developer"),
        .init(rule: "{id: X, type: jurisdictions.countries, severity: high, role: developer, allow: [\(everyCountry)]}",
            pointer: "/rules/0/allow", says: "lists every country"),
        .init(rule: "{id: X, type: retention.storage-countries, severity: high, categories: [], deny: [CN]}",
            pointer: "/rules/0/categories", says: "no data category is checked"),
        .init(rule: "{id: X, type: retention.max-days, severity: high, limits: {prompts: -1}}",
            pointer: "/rules/0/limits/prompts", says: "a negative number of days"),
        .init(rule: "{id: X, type: retention.max-days, severity: high, limits: {prompts: 99999}}",
            pointer: "/rules/0/limits/prompts", says: "more than 3650 (ten years) limits nothing"),
        .init(rule: "{id: X, type: retention.no-training, severity: high, categories: []}",
            pointer: "/rules/0/categories", says: "no data category is checked"),
        .init(rule: "{id: X, type: retention.deletion-on-request, severity: high, categories: []}",
            pointer: "/rules/0/categories", says: "no data category is checked"),
        .init(rule: "{id: X, type: retention.forbidden-collection, severity: high, categories: []}",
            pointer: "/rules/0/categories", says: "no data category is checked"),
        .init(rule: "{id: X, type: signatures.threshold, severity: high, minimum: 1}",
            pointer: "/rules/0/minimum", says: "is 1 without a role"),
        .init(rule: "{id: X, type: signatures.algorithms, severity: high, allowed: [ed25519, ecdsa-p256-sha256, "
            + "ecdsa-p384-sha384, ecdsa-p521-sha512, rsa-pss-sha256, rsa-pkcs1v15-sha256]}",
            pointer: "/rules/0/allowed", says: "lists every signature scheme"),
        .init(rule: "{id: X, type: vendors.deny, severity: high, subjects: [developer], vendors: [{name: \"Inc.\"}]}",
            pointer: "/rules/0/vendors/0/name", says: "names no vendor"),
        .init(rule: "{id: X, type: custody.authorized-roles, severity: high, actions: {mirrored: [developer, "
            + "publisher, auditor, host, deployer, transformer]}}", pointer: "/rules/0/actions/mirrored",
            says: "lists every role"),
        .init(rule: "{id: X, type: custody.hop-countries, severity: high, allow: [\(everyCountry)]}",
            pointer: "/rules/0/allow", says: "lists every country"),
    ]

    @Test(arguments: cases)
    func isRefusedWithTheRuleIdTheParameterAndTheFix(_ ineffective: IneffectiveParameterCase) throws {
        let scratch = try PolicyScratch()
        let text = "version: 1\nname: \"p\"\nrules:\n  - \(ineffective.rule)\n"
        let problems = try #require(loadProblems(try scratch.write("policy.yaml", text)), "the policy loaded")
        #expect(problems.map(\.pointer) == [ineffective.pointer], "\(problems)")
        let message = try #require(problems.first?.message)
        let parameter = ineffective.pointer.replacingOccurrences(of: "/rules/0/", with: "")
        #expect(message.hasPrefix("rule \"X\" ("), "\(message)")
        #expect(message.contains("): \(parameter) "), "\(message)")
        #expect(message.contains(ineffective.says), "\(message)")
        #expect(message.contains("; "), "a fix follows the reason: \(message)")
    }

    @Test func screeningWithNoPartiesIsRefused() throws {
        let scratch = try PolicyScratch()
        let list = PolicyFixture.path("screening/acme-list.csv")
        let text = """
            version: 1
            name: "p"
            screeningLists: [{id: l, file: "\(list)"}]
            rules:
              - {id: S, type: screening.entity-lists, severity: high, parties: []}
            """
        let problems = try #require(loadProblems(try scratch.write("policy.yaml", text)))
        #expect(problems.map(\.pointer) == ["/rules/0/parties"])
        #expect(problems.first?.message.contains("rule \"S\" (screening.entity-lists): parties is empty") == true)
    }

    @Test func aScreeningListWithoutEntriesIsRefused() throws {
        let scratch = try PolicyScratch()
        let header = ScreeningList.requiredColumns.joined(separator: ",")
        try scratch.write("empty.csv", header + "\n")
        let text = """
            version: 1
            name: "p"
            screeningLists: [{id: empty, file: empty.csv}]
            rules:
              - {id: S, type: screening.entity-lists, severity: high}
            """
        let problems = try #require(loadProblems(try scratch.write("policy.yaml", text)))
        #expect(problems.map(\.pointer) == ["/screeningLists/0/file"])
        #expect(problems.first?.message.contains("screening list \"empty\" has no entries") == true)
    }

    @Test func meaningfulValuesStillLoad() throws {
        _ = try inlinePolicy([
            "{id: A, type: signatures.threshold, severity: high, minimum: 1, role: auditor}",
            "{id: B, type: retention.max-days, severity: high, limits: {prompts: 0, outputs: 3650}}",
            "{id: C, type: jurisdictions.countries, severity: high, role: data-storage, categories: [prompts], "
                + "deny: [CN]}",
        ])
        for file in ["enterprise-default.yaml", "eu-gdpr.yaml", "us-federal-agency.yaml"] {
            _ = try PolicyLoader.load(path: PolicyFixture.packagePath("policies/\(file)"))
        }
    }
}
