import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

private typealias Fixtures = LineageCustodyFixtures

/// The model every custody fixture chains from.
private func custodyModel() throws -> LineageCustodyFixtures.Model {
    try Fixtures.model(Fixtures.lineage("three-generations.json"))
}

private func verify(_ bundle: CustodyBundle) throws -> CustodyVerification {
    let model = try custodyModel()
    return CustodyVerifier(trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
        .verify(
            bundle, manifestSHA256: model.sha256, manifestSubject: model.statement.subject,
            manifestDeveloper: model.statement.predicate.origin.developer)
}

private func verify(_ scenario: String) throws -> CustodyVerification {
    try verify(try CustodyBundle.load(path: Fixtures.custody("\(scenario).custody.jsonl")))
}

/// Problems as `(line, kind)` pairs, in the verifier's order.
private func kinds(_ verification: CustodyVerification) -> [String] {
    verification.problems.map { "\($0.line) \($0.kind.rawValue)" }
}

/// The intact chain's first four hops, then a deployment recorded by the host under its own name and key.
private func hostDeploys() throws -> [[UInt8]] {
    let intact = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
    let model = try custodyModel()
    let hosted = try #require(intact.lines.dropFirst(3).first)
    let deployed = CustodyStatement(
        subject: try subject(ofDirectory: "weights-q4"),
        predicate: CustodyPredicate(
            action: .deployed, actor: LegalEntity(name: "ModelHub Ltd", legalName: nil, country: "IE", aliases: nil,
                parent: nil, affiliations: nil),
            country: "US", location: nil, time: "2026-05-05T09:00:00Z",
            previous: DigestSet(sha256: hosted.sha256), manifest: DigestSet(sha256: model.sha256),
            inputs: nil, note: nil))
    return intact.lines.prefix(4).map(\.bytes) + [try record(deployed, key: "hub-host")]
}

/// A bundle made of `lines` (already-compact envelopes), numbered from 1.
private func bundle(_ lines: [[UInt8]]) throws -> CustodyBundle {
    CustodyBundle(path: "synthetic.custody.jsonl", lines: try lines.enumerated().map { index, bytes in
        CustodyBundle.Line(number: index + 1, bytes: bytes, sha256: try Digests.sha256Hex(bytes))
    })
}

/// The subject of the files in a fixture directory, as `--model-dir` computes it.
private func subject(ofDirectory name: String) throws -> [Subject] {
    try ModelDirectory(root: Fixtures.custody(name)).digests(progress: nil).map {
        Subject(name: $0.path, sha256: $0.digest)
    }
}

/// A signed custody record, compact, as a bundle line.
private func record(_ statement: CustodyStatement, key: String) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let payload = [UInt8](try encoder.encode(statement))
    var envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: payload)
    try envelope.addSignature(by: try Fixtures.privateKey(key))
    return try CustodyBundle.line(for: envelope)
}

@Suite("Custody: the verification pipeline over the fixture bundles")
struct CustodyVerifierTests {
    @Test func intactChainWithAQuantizationHop() throws {
        let verification = try verify("intact")
        #expect(verification.problems.isEmpty)
        #expect(verification.intact)
        #expect(verification.chain.map(\.line) == [1, 2, 3, 4, 5])
        #expect(verification.chain.map(\.statement.predicate.action) == [
            .published, .mirrored, .quantized, .hosted, .deployed,
        ])
        #expect(verification.chain.map(\.signerOwner) == [
            "Acme AI, Inc.", "ModelHub Ltd", "Quant Lab GmbH", "ModelHub Ltd", "Example Corp",
        ])
        #expect(verification.chain.map(\.signerRoles) == [
            [.developer, .publisher], [.host], [.publisher, .transformer], [.host], [.deployer],
        ])
        // The quantization hop read the manifest's files and produced the ones that must be delivered.
        let model = try custodyModel()
        #expect(verification.chain[2].statement.predicate.inputs == model.statement.subject)
        #expect(verification.finalSubject.sorted() == (try subject(ofDirectory: "weights-q4")).sorted())
        #expect(verification.finalSubject.map(\.name).sorted() == ["config.json", "model-q4_0.gguf"])
        #expect(verification.hops.map(\.status) == Array(repeating: "verified", count: 5))
        #expect(verification.recordCount == 5)
    }

    @Test func chainStartsAtTheProvenanceEnvelopeAndLinksEachLine() throws {
        let loaded = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
        let model = try custodyModel()
        let verification = try verify(loaded)
        let previous = verification.chain.map(\.statement.predicate.previous.sha256)
        #expect(previous == [model.sha256] + loaded.lines.dropLast().map(\.sha256))
        #expect(verification.chain.allSatisfy { $0.statement.predicate.manifest.sha256 == model.sha256 })
    }

    @Test func gapAfterALostRecord() throws {
        let verification = try verify("gap")
        // Line 2 (the quantized record) names the lost mirror record; everything after it hangs off it.
        #expect(kinds(verification) == ["2 gap", "3 gap", "4 gap"])
        #expect(verification.problems.first?.message.hasPrefix("quantized by Quant Lab GmbH names previous sha256:") == true)
        #expect(verification.chain.map(\.line) == [1])
        #expect(!verification.intact)
    }

    @Test func forkOfTwoRecordsNamingTheSamePrevious() throws {
        let verification = try verify("fork")
        let forks = verification.problems.filter { $0.kind == .fork }
        #expect(forks.map(\.line) == [6])
        #expect(forks.first?.message.hasPrefix("lines 2 and 6 both name sha256:") == true)
        // The branch's record also names an actor its key does not belong to; both problems are drawn.
        #expect(verification.hops.map(\.status).last == "fork, actor", "the off-chain branch is drawn, marked as a fork")
        // The walk keeps the earlier branch.
        #expect(verification.chain.map(\.line) == [1, 2, 3, 4, 5])
        #expect(!verification.intact)
        #expect(!verification.problems.contains { $0.line == 6 && $0.kind == .gap })
    }

    @Test func everyExtraBranchOfAFourWayForkIsAFork() throws {
        let fork = try CustodyBundle.load(path: Fixtures.custody("fork.custody.jsonl"))
        let model = try custodyModel()
        let published = try #require(fork.lines.first)
        var extra: [[UInt8]] = []
        for name in ["Second Shadow", "Third Shadow"] {
            let statement = CustodyStatement(
                subject: model.statement.subject,
                predicate: CustodyPredicate(
                    action: .mirrored, actor: LegalEntity(name: name, legalName: nil, country: "IE", aliases: nil,
                        parent: nil, affiliations: nil),
                    country: "IE", location: nil, time: "2026-05-02T15:00:00Z",
                    previous: DigestSet(sha256: published.sha256), manifest: DigestSet(sha256: model.sha256),
                    inputs: nil, note: nil))
            extra.append(try record(statement, key: "hub-host"))
        }
        let verification = try verify(try bundle(fork.lines.map(\.bytes) + extra))
        #expect(verification.chain.map(\.line) == [1, 2, 3, 4, 5])
        #expect(verification.problems.contains { $0.line == 6 && $0.kind == .fork })
        #expect(verification.problems.filter { $0.kind == .fork }.map(\.line) == [6, 7, 8])
        #expect(!verification.problems.contains { $0.kind == .gap })
    }

    @Test func timesThatGoBackwards() throws {
        let verification = try verify("reordered-times")
        #expect(kinds(verification) == ["4 time-order"])
        #expect(verification.problems.first?.message
            == "hosted at 2026-05-02T18:00:00Z is earlier than the hop before it")
        #expect(verification.chain.count == 5)
    }

    @Test func recordReplayedFromAnotherModel() throws {
        let verification = try verify("replayed")
        let other = try Fixtures.model(Fixtures.lineage("denied-grandparent.json"))
        #expect(kinds(verification) == ["6 replayed"])
        #expect(verification.problems.first?.message.contains("manifest sha256:\(other.sha256)") == true)
        #expect(verification.problems.first?.message.contains("this model's is sha256:\(try custodyModel().sha256)")
            == true)
        #expect(verification.chain.count == 5)
    }

    @Test func hopSignedByAnUntrustedKey() throws {
        let verification = try verify("untrusted-signer")
        #expect(kinds(verification) == ["3 signature", "4 gap", "5 gap"])
        #expect(verification.problems.first?.message.hasPrefix("not verified") == true)
        #expect(verification.chain.map(\.line) == [1, 2])
    }

    @Test func mirrorThatChangesTheFilesWithoutDeclaringIt() throws {
        let verification = try verify("undeclared-change")
        #expect(kinds(verification) == ["2 subject"])
        #expect(verification.problems.first?.message == "mirrored changes the files without declaring a transformation")
        // What the chain says must be delivered is still the last hop's subject.
        #expect(verification.finalSubject.sorted() == (try subject(ofDirectory: "weights-other")).sorted())
    }

    @Test func hopClaimingAnotherActorIsAnIntegrityProblem() throws {
        // The host's key signed a record saying "Example Corp deployed": the trust store says who acted, not the record.
        let verification = try verify("unauthorised-role")
        #expect(kinds(verification) == ["5 actor"])
        let message = verification.problems.first?.message ?? ""
        #expect(message.contains("claims \"Example Corp\" as its actor, but was signed by ModelHub Ltd"), "\(message)")
        #expect(verification.hops.last?.actor == "ModelHub Ltd", "reports show the key's owner")
        #expect(!verification.intact)
    }

    @Test func hostDeployingUnderItsOwnNameIsThePolicysQuestion() throws {
        // The host key is trusted and signs as itself, so the record verifies; whether a host may deploy is the
        // policy's question (`custody.authorized-roles`).
        let verification = try verify(try bundle(try hostDeploys()))
        #expect(verification.problems.isEmpty, "\(verification.problems)")
        #expect(verification.chain.last?.signerRoles == [.host])
    }

    @Test(arguments: [
        ("hub-host", "ModelHub Ltd", "ModelHub Ltd changes the model's files, but the key holds only host"),
        ("blackfen-developer", "Blackfen Dynamics Co., Ltd.", "the key holds only developer"),
    ])
    func transformationWithoutTransformerAuthorityIsRefused(key: String, actor: String, says: String) throws {
        // A trusted key that is neither a transformer nor this model's developer cannot swap the weights by
        // recording a quantization, even under its own name.
        let intact = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
        let model = try custodyModel()
        let received = try #require(intact.lines.dropFirst().first)
        let quantized = CustodyStatement(
            subject: try subject(ofDirectory: "weights-q4"),
            predicate: CustodyPredicate(
                action: .quantized, actor: LegalEntity(name: actor, legalName: nil, country: "DE", aliases: nil,
                    parent: nil, affiliations: nil),
                country: "DE", location: nil, time: "2026-05-03T09:00:00Z",
                previous: DigestSet(sha256: received.sha256), manifest: DigestSet(sha256: model.sha256),
                inputs: model.statement.subject, note: nil))
        let verification = try verify(try bundle(intact.lines.prefix(2).map(\.bytes) + [try record(quantized, key: key)]))
        #expect(kinds(verification) == ["3 unauthorized"])
        #expect(verification.problems.first?.message.contains(says) == true, "\(verification.problems)")
        #expect(!verification.intact)
    }

    @Test func hopDatedAfterTheEvaluationTimeFails() throws {
        let intact = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
        let model = try custodyModel()
        let last = try #require(intact.lines.last)
        let later = CustodyStatement(
            subject: try subject(ofDirectory: "weights-q4"),
            predicate: CustodyPredicate(
                action: .transferred, actor: LegalEntity(name: "Example Corp", legalName: nil, country: "US",
                    aliases: nil, parent: nil, affiliations: nil),
                country: "US", location: nil, time: "2030-01-01T00:00:00Z",
                previous: DigestSet(sha256: last.sha256), manifest: DigestSet(sha256: model.sha256),
                inputs: nil, note: nil))
        let verification = try verify(
            try bundle(intact.lines.map(\.bytes) + [try record(later, key: "examplecorp-deployer")]))
        #expect(kinds(verification) == ["6 future"])
        #expect(verification.problems.first?.message.contains("after the evaluation time") == true)
    }

    @Test func transformationWhoseInputsAreNotTheFilesReceived() throws {
        let intact = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
        let model = try custodyModel()
        let received = try #require(intact.lines.dropFirst().first)
        let quantized = CustodyStatement(
            subject: try subject(ofDirectory: "weights-q4"),
            predicate: CustodyPredicate(
                action: .quantized, actor: LegalEntity(name: "Quant Lab", legalName: nil, country: "DE", aliases: nil,
                    parent: nil, affiliations: nil),
                country: "DE", location: nil, time: "2026-05-03T09:00:00Z",
                previous: DigestSet(sha256: received.sha256), manifest: DigestSet(sha256: model.sha256),
                inputs: try subject(ofDirectory: "weights-other"), note: nil))
        let lines = intact.lines.prefix(2).map(\.bytes) + [try record(quantized, key: "quantlab-publisher")]
        let verification = try verify(try bundle(lines))
        #expect(kinds(verification) == ["3 subject"])
        #expect(verification.problems.first?.message == "quantized names inputs that are not the files it received")
    }

    @Test func linesThatAreNotCustodyRecordsAreMalformed() throws {
        let intact = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
        let manifest = try CustodyBundle.line(for: try custodyModel().envelope)
        let lines = intact.lines.map(\.bytes) + [Array("not json".utf8), manifest]
        let verification = try verify(try bundle(lines))
        #expect(kinds(verification) == ["6 malformed", "7 malformed"])
        #expect(verification.problems.first?.message.hasPrefix("not a DSSE envelope") == true)
        #expect(verification.problems.last?.message.contains("/predicateType") == true)
        #expect(verification.chain.count == 5)
    }

    @Test func emptyBundleIsNotAnIntactChain() throws {
        let verification = try verify(try bundle([]))
        #expect(verification.problems.isEmpty)
        #expect(verification.chain.isEmpty)
        #expect(!verification.intact)
        let model = try custodyModel()
        #expect(verification.finalSubject == model.statement.subject)
        let signatures = EnvelopeVerifier(trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
            .verify(model.envelope)
        let findings = IntegrityChecks.findings(
            for: ModelVerification(
                signatures: signatures, statement: model.statement, artifacts: nil, custody: verification),
            modelDirectory: nil)
        let finding = try #require(findings.first { $0.ruleID == IntegrityChecks.custodyRule })
        #expect(finding.status == .fail)
        #expect(finding.message == "synthetic.custody.jsonl holds no record chained to this manifest")
    }
}

@Suite("Custody: the JSON-lines bundle")
struct CustodyBundleTests {
    @Test func recordDigestIsTheLineWithoutItsNewline() throws {
        let path = Fixtures.custody("intact.custody.jsonl")
        let bytes = try InputFile.read(path, limit: CustodyBundle.maxBytes)
        let loaded = try CustodyBundle.load(path: path)
        let rawLines = bytes.split(separator: 0x0A).map(Array.init)
        #expect(loaded.lines.map(\.bytes) == rawLines)
        #expect(try loaded.lines.map(\.sha256) == rawLines.map { try Digests.sha256Hex($0) })
        #expect(bytes.last == 0x0A)
    }

    @Test func blankLinesAreSkippedAndCarriageReturnsDropped() throws {
        let intact = try CustodyBundle.load(path: Fixtures.custody("intact.custody.jsonl"))
        let first = try #require(intact.lines.first)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([0x0A, 0x20, 0x09, 0x0A] + first.bytes + [0x0D, 0x0A]).write(to: file)
        let loaded = try CustodyBundle.load(path: file.path)
        #expect(loaded.lines.map(\.number) == [3])
        #expect(loaded.lines.first?.sha256 == first.sha256)
    }

    @Test func defaultPathIsBesideTheManifest() {
        #expect(CustodyBundle.defaultPath(forManifest: "models/chat.json") == "models/chat.custody.jsonl")
        #expect(CustodyBundle.defaultPath(forManifest: "chat.dsse") == "chat.dsse.custody.jsonl")
    }

    @Test func appenderChainsEachRecordToTheLastLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("custody-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bundlePath = directory.appendingPathComponent("model.custody.jsonl").path
        let model = try custodyModel()
        let acme = LegalEntity(name: "Acme AI", legalName: nil, country: "US", aliases: nil, parent: nil,
            affiliations: nil)
        // Both hops happen before the evaluation time: a hop dated later is itself a problem.
        let time = try Fixtures.time().addingTimeInterval(-120)
        let first = try CustodyAppender.append(
            .init(action: .published, actor: acme, country: "US", time: time), manifestPath: model.path,
            bundlePath: bundlePath, key: try Fixtures.privateKey("acme-developer"))
        let second = try CustodyAppender.append(
            .init(action: .quantized, actor: acme, country: "US", time: time.addingTimeInterval(60),
                newSubject: try subject(ofDirectory: "weights-q4")),
            manifestPath: model.path, bundlePath: bundlePath, key: try Fixtures.privateKey("acme-developer"))
        let loaded = try CustodyBundle.load(path: bundlePath)
        #expect(loaded.lines.map(\.sha256) == [first, second])
        let verification = try verify(loaded)
        #expect(verification.problems.isEmpty)
        #expect(verification.chain.map(\.statement.predicate.previous.sha256) == [model.sha256, first])
        #expect(verification.chain.last?.statement.predicate.inputs == model.statement.subject)
        #expect(verification.chain.last?.statement.predicate.time == RFC3339.format(time.addingTimeInterval(60)))

        // A transformation must say what it produced; nothing is written when it does not.
        #expect(throws: EnvelopeError.self) {
            try CustodyAppender.append(
                .init(action: .converted, actor: acme, country: "US", time: time), manifestPath: model.path,
                bundlePath: bundlePath, key: try Fixtures.privateKey("acme-developer"))
        }
        #expect(try CustodyBundle.load(path: bundlePath).lines.count == 2)
    }
}

@Suite("Custody: the record reader")
struct CustodyReaderTests {
    @Test func transformationWithoutInputsIsRefused() throws {
        let json = """
            {"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://model-audit.dev/custody/v1",
             "subject": [{"name": "model.gguf", "digest": {"sha256": "\(String(repeating: "1", count: 64))"}}],
             "predicate": {"action": "converted", "actor": {"name": "Lab", "country": "DE"}, "country": "DE",
               "time": "2026-05-03T09:00:00Z", "previous": {"sha256": "\(String(repeating: "2", count: 64))"},
               "manifest": {"sha256": "\(String(repeating: "3", count: 64))"}, "extra": true}}
            """
        let error = try #require(throws: InvalidDocumentError.self) {
            try CustodyReader.read(try StrictJSON.parse(Array(json.utf8)), document: "record")
        }
        let pointers = error.problems.map(\.pointer)
        #expect(pointers.contains("/predicate/inputs"))
        #expect(pointers.contains("/predicate/extra"))
    }

    @Test func countryMustBeAnAssignedCode() throws {
        let json = """
            {"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://model-audit.dev/custody/v1",
             "subject": [{"name": "model.gguf", "digest": {"sha256": "\(String(repeating: "1", count: 64))"}}],
             "predicate": {"action": "hosted", "actor": {"name": "Host", "country": "IE"}, "country": "EU",
               "time": "2026-05-03T09:00:00Z", "previous": {"sha256": "\(String(repeating: "2", count: 64))"},
               "manifest": {"sha256": "\(String(repeating: "3", count: 64))"}}}
            """
        let error = try #require(throws: InvalidDocumentError.self) {
            try CustodyReader.read(try StrictJSON.parse(Array(json.utf8)), document: "record")
        }
        #expect(error.problems.map(\.pointer) == ["/predicate/country"])
    }
}

@Suite("Custody: the final subject is what must be delivered")
struct CustodyDeliveryTests {
    private func verifyModel(custody: String, modelDirectory: String) throws -> ModelVerification {
        let model = try custodyModel()
        return try ModelVerifier(
            trustStore: try Fixtures.trustStore(),
            options: ModelVerificationOptions(
                time: try Fixtures.time(), modelDirectory: Fixtures.custody(modelDirectory),
                custodyBundle: Fixtures.custody("\(custody).custody.jsonl"), envelopeSHA256: model.sha256)
        ).verify(model.envelope)
    }

    @Test func quantizedFilesAreDelivered() throws {
        let verification = try verifyModel(custody: "intact", modelDirectory: "weights-q4")
        #expect(verification.passed)
        #expect(verification.artifacts?.verified.map(\.path).sorted() == ["config.json", "model-q4_0.gguf"])
    }

    @Test func theManifestsOriginalFilesAreNotWhatTheLastHopHolds() throws {
        let verification = try verifyModel(custody: "intact", modelDirectory: "weights")
        #expect(!verification.passed)
        let problems = verification.artifacts?.problems.map { "\($0)" } ?? []
        #expect(problems.contains { $0.hasPrefix("model-q4_0.gguf: missing") })
        #expect(problems.contains { $0.hasPrefix("model.safetensors: not listed") })
        #expect(verification.custody?.problems.isEmpty == true)
    }
}

@Suite("Custody: policy rules")
struct CustodyPolicyTests {
    static let policy = Fixtures.custody("policy.yaml")

    private func audit(_ scenario: String?, modelDirectory: String? = "weights-q4") throws -> ModelReport {
        try Fixtures.audit(
            Fixtures.lineage("three-generations.json"), policy: Self.policy,
            custody: scenario.map { Fixtures.custody("\($0).custody.jsonl") },
            modelDirectory: modelDirectory.map(Fixtures.custody))
    }

    private func statuses(_ report: ModelReport, _ rule: String) -> [String] {
        report.findings.filter { $0.ruleID == rule }.map { "\($0.pointer ?? "") \($0.status.rawValue)" }
    }

    @Test func intactChainPassesEveryRule() throws {
        let report = try audit("intact")
        #expect(report.verdict == .compliant, "\(report.findings.filter { $0.status != .pass })")
        #expect(statuses(report, "CUS-REQUIRED") == ["/custody/1 pass", "/custody/5 pass"])
        #expect(statuses(report, "CUS-ROLES").count == 5)
        #expect(statuses(report, "CUS-COUNTRIES").count == 5)
        #expect(report.custody?.map(\.action) == ["published", "mirrored", "quantized", "hosted", "deployed"])
        let custody = report.findings.filter { $0.ruleID == IntegrityChecks.custodyRule }
        #expect(custody.map(\.message) == [
            "5 hop(s) verified in \(Fixtures.custody("intact.custody.jsonl")): published by Acme AI, Inc. → mirrored "
                + "by ModelHub Ltd → quantized by Quant Lab GmbH → hosted by ModelHub Ltd → deployed by Example Corp",
        ])
    }

    @Test func hopByAnUnauthorisedRoleFails() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("host-deploys-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try hostDeploys().flatMap { $0 + [0x0A] }).write(to: file)
        let report = try Fixtures.audit(
            Fixtures.lineage("three-generations.json"), policy: Self.policy, custody: file.path,
            modelDirectory: Fixtures.custody("weights-q4"))
        #expect(report.verdict == .nonCompliant)
        let roles = report.findings.filter { $0.ruleID == "CUS-ROLES" && $0.status == .fail }
        #expect(roles.map(\.pointer) == ["/custody/5"])
        #expect(roles.first?.message == "deployed by ModelHub Ltd (roles: host)")
        #expect(roles.first?.expected == "deployer")
        #expect(statuses(report, "CUS-REQUIRED") == ["/custody/5 fail", "/custody/1 pass"])
    }

    @Test func hopInADeniedCountryFails() throws {
        let report = try audit("denied-hop-country")
        let failures = report.findings.filter { $0.status == .fail }
        #expect(failures.map(\.ruleID) == ["CUS-COUNTRIES"])
        #expect(failures.first?.pointer == "/custody/4")
        #expect(failures.first?.observed == "RU")
        #expect(failures.first?.message == "hosted by ModelHub Ltd took place in RU")
    }

    @Test func brokenChainFailsRequiredAndIntegrity() throws {
        let report = try audit("gap")
        #expect(report.verdict == .nonCompliant)
        let integrity = report.findings.filter { $0.ruleID == IntegrityChecks.custodyRule }
        #expect(integrity.map(\.pointer) == ["/custody/2", "/custody/3", "/custody/4"])
        #expect(integrity.allSatisfy { $0.status == .fail && $0.observed == "gap" })
        #expect(statuses(report, "CUS-REQUIRED") == ["/custody fail", "/custody/1 fail", "/custody/1 pass"])
    }

    @Test func noCustodyBundleFailsRequiredOnly() throws {
        let report = try audit(nil, modelDirectory: "weights")
        #expect(statuses(report, "CUS-REQUIRED") == ["/custody fail"])
        #expect(report.findings.first { $0.ruleID == "CUS-REQUIRED" }?.observed == "not declared")
        #expect(statuses(report, "CUS-ROLES") == ["/custody not-applicable"])
        #expect(statuses(report, "CUS-COUNTRIES") == ["/custody not-applicable"])
    }

    @Test func chainThatDoesNotReachADeployerFails() throws {
        let report = try audit("undeclared-change", modelDirectory: "weights-other")
        let required = report.findings.filter { $0.ruleID == "CUS-REQUIRED" && $0.status == .fail }
        #expect(required.map(\.pointer) == ["/custody", "/custody/2"])
        #expect(required.last?.message == "the last hop is mirrored by ModelHub Ltd (roles: host)")
        #expect(report.findings.filter { $0.ruleID == IntegrityChecks.artifactsRule }.map(\.status) == [.pass])
    }
}
