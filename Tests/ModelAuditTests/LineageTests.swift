import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// The committed fixtures in `<root>/Tests/Fixtures/lineage` and `custody` (see their READMEs), shared by the
/// lineage and custody tests.
enum LineageCustodyFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    static func lineage(_ name: String) -> String { root.appendingPathComponent("lineage/\(name)").path }
    static func custody(_ name: String) -> String { root.appendingPathComponent("custody/\(name)").path }

    /// The time every fixture is evaluated at: after every custody hop, inside no key's validity window limits.
    static func time() throws -> Date { try #require(RFC3339.parse("2026-06-01T00:00:00Z")) }

    static func trustStore() throws -> TrustStore { try TrustStore.load(directory: lineage("trust")) }

    static func store() throws -> ManifestStore { try ManifestStore.load(directory: lineage("store")) }

    static func privateKey(_ name: String) throws -> PrivateKey {
        try PrivateKey(pem: try InputFile.read(lineage("keys/\(name).key"), limit: 64 * 1024))
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try InputFile.read(path, limit: 1 << 20), as: UTF8.self)
    }

    /// A signed fixture model: its envelope, the SHA-256 of the envelope file and the verified statement.
    struct Model {
        let path: String
        let envelope: DSSEEnvelope
        let sha256: String
        let statement: ProvenanceStatement
    }

    static func model(_ path: String) throws -> Model {
        let bytes = try InputFile.read(path, limit: JSONLimits.default.maxBytes)
        let envelope = try DSSEEnvelope.decode(bytes)
        let verification = EnvelopeVerifier(trustStore: try trustStore(), time: try time()).verify(envelope)
        #expect(verification.isVerified, "\(path): \(verification.summary)")
        let statement = try #require(try ManifestPayload.statement(in: envelope))
        return Model(path: path, envelope: envelope, sha256: try Digests.sha256Hex(bytes), statement: statement)
    }

    /// Audits `file` as `audit verify` does, with the fixture trust store.
    static func audit(
        _ file: String, policy: String?, store: Bool = true, custody: String? = nil, modelDirectory: String? = nil
    ) throws -> ModelReport {
        let auditor = Auditor(
            policy: try policy.map(PolicyLoader.load(path:)),
            context: AuditContext(
                time: try time(), trust: AuditContext.Trust(store: try trustStore()),
                artifacts: AuditContext.ArtifactOptions(modelDirectory: { _ in modelDirectory }),
                custodyBundle: { _ in custody.map(CustodyBundleSource.named) },
                store: store ? try Self.store() : nil))
        return try auditor.audit(file: file)
    }

    /// A complete provenance manifest in YAML, as the fixture script writes them.
    static func manifestYAML(
        name: String, developer: String = "Acme AI", country: String = "US",
        parents: [(name: String, relation: String, digest: String?)] = [], teacherDigest: String? = nil
    ) -> String {
        var lineage = parents.isEmpty ? "    parents: []\n" : "    parents:\n"
        for parent in parents {
            lineage += "      - name: \"\(parent.name)\"\n        relation: \"\(parent.relation)\"\n"
            if let digest = parent.digest { lineage += "        manifestDigest:\n          sha256: \"\(digest)\"\n" }
        }
        if let teacherDigest {
            lineage += """
                    distillationSources:
                      - model: "acme-base-7b"
                        developer: {name: "Acme AI", country: "US"}
                        termsPermitDistillation: true
                        manifestDigest: {sha256: "\(teacherDigest)"}

                """
        } else {
            lineage += "    distillationSources: []\n"
        }
        return """
            _type: "https://in-toto.io/Statement/v1"
            subject:
              - name: "model.safetensors"
                digest: {sha256: "\(String(repeating: "0", count: 64))"}
            predicateType: "https://model-audit.dev/provenance/v1"
            predicate:
              model: {name: "\(name)", version: "1.0.0", license: "Apache-2.0", format: "safetensors",
                source: "https://models.example.invalid/\(name)"}
              origin:
                developer: {name: "\(developer)", country: "\(country)", affiliations: []}
              hosting: {mode: "self-hosted"}
              lineage:
            \(lineage)    datasets: []
              dataRetention: []
              audits: []

            """
    }

    /// The statement and the signed envelope bytes of a synthetic manifest.
    static func signedManifest(_ yaml: String, key: String = "acme-developer") throws
        -> (statement: ProvenanceStatement, envelope: [UInt8])
    {
        let value = try StructuredDocument.parse(Array(yaml.utf8), path: "synthetic.yaml")
        let made = try ManifestPayload.make(from: value, subjects: nil, document: "synthetic manifest")
        let envelope = try DSSEEnvelope.sign(
            payload: made.payload, payloadType: DSSEEnvelope.inTotoPayloadType, keys: [(try privateKey(key), nil)])
        return (made.statement, try envelope.encoded())
    }
}

private typealias Fixtures = LineageCustodyFixtures
private typealias Status = LineageResolver.Link.Status

/// Resolves a fixture model's ancestry through the fixture store.
private func resolve(_ scenario: String, maxDepth: Int = 16) throws -> LineageResolver.Result {
    let model = try Fixtures.model(Fixtures.lineage("\(scenario).json"))
    return LineageResolver(
        store: try Fixtures.store(), trustStore: try Fixtures.trustStore(), time: try Fixtures.time(),
        maxDepth: maxDepth
    ).resolve(model.statement, envelopeSHA256: model.sha256)
}

/// A resolver over a store whose index the test writes itself: digests need not be the files' real digests.
private func resolve(
    _ statement: ProvenanceStatement, envelopeSHA256: String, entries: [(digest: String, file: String, bytes: [UInt8])]
) throws -> LineageResolver.Result {
    var index: [String: ManifestStore.Entry] = [:]
    for entry in entries {
        index[entry.digest] = ManifestStore.Entry(file: entry.file, sha256: entry.digest, bytes: entry.bytes)
    }
    return LineageResolver(
        store: ManifestStore(directory: "synthetic-store", entries: index), trustStore: try Fixtures.trustStore(),
        time: try Fixtures.time()
    ).resolve(statement, envelopeSHA256: envelopeSHA256)
}

private func digest(of file: String) throws -> String {
    try Digests.sha256Hex(try InputFile.read(file, limit: JSONLimits.default.maxBytes))
}

@Suite("Lineage: resolving ancestors through a manifest store")
struct LineageResolverTests {
    @Test func threeGenerationsAreAllVerified() throws {
        let result = try resolve("three-generations")
        #expect(result.links.map(\.status) == [.verified, .verified])
        #expect(result.links.map(\.path) == [
            ["acme-chat-7b-support 1.0.0", "acme-chat-7b"],
            ["acme-chat-7b-support 1.0.0", "acme-chat-7b", "acme-base-7b"],
        ])
        #expect(result.links.map(\.depth) == [1, 2])
        #expect(result.links.map(\.relation) == ["fine-tune", "fine-tune"])
        let pointer = "/predicate/lineage/parents/0/manifestDigest"
        #expect(result.links.map(\.pointer) == [pointer, pointer])
        #expect(try result.links.map(\.digest) == [
            digest(of: Fixtures.lineage("store/acme-chat-7b.json")),
            digest(of: Fixtures.lineage("store/acme-base-7b.json")),
        ])
        #expect(result.depth == 2)
        #expect(result.ancestors.map { $0.statement?.predicate.model.name } == ["acme-chat-7b", "acme-base-7b"])
        #expect(result.tree.status == "verified")
        #expect(result.tree.parents.first?.parents.first?.name == "acme-base-7b 1.0.0")
    }

    @Test func missingAncestorIsNamedNeverSkipped() throws {
        let result = try resolve("missing-ancestor")
        let link = try #require(result.links.first)
        #expect(result.links.count == 1)
        #expect(link.status == .missing)
        #expect(link.path == ["acme-ghost-3b 1.0.0", "ghost-base-3b"])
        #expect(link.detail.contains("no manifest with sha256:\(link.digest ?? "?")"))
        #expect(result.ancestors.isEmpty)
    }

    @Test func ancestorSignedByAnUntrustedKey() throws {
        let result = try resolve("untrusted-ancestor")
        let link = try #require(result.links.first)
        #expect(link.status == .untrusted)
        #expect(link.detail.contains("rogue-base-7b.json"))
        #expect(link.detail.contains("not verified"))
        #expect(link.statement == nil)
        #expect(result.tree.parents.map(\.status) == ["untrusted"])
    }

    @Test func parentDigestThatIsNotTheStoredEnvelope() throws {
        let result = try resolve("parent-digest-mismatch")
        let link = try #require(result.links.first)
        let stored = try digest(of: Fixtures.lineage("store/acme-chat-7b.json"))
        #expect(link.status == .mismatch)
        #expect(link.digest != stored)
        #expect(link.detail.contains("store/acme-chat-7b.json with sha256:\(stored)"))
        #expect(link.detail.contains("the child names sha256:\(link.digest ?? "?")"))
    }

    @Test func parentWithoutAManifestDigestIsUnsigned() throws {
        let yaml = Fixtures.manifestYAML(name: "acme-hidden", parents: [("mystery-base", "fine-tune", nil)])
        let child = try Fixtures.signedManifest(yaml)
        let result = LineageResolver(store: try Fixtures.store(), trustStore: try Fixtures.trustStore(),
            time: try Fixtures.time()).resolve(child.statement, envelopeSHA256: try Digests.sha256Hex(child.envelope))
        #expect(result.links.map(\.status) == [.unsigned])
        #expect(result.links.first?.digest == nil)
        #expect(result.links.first?.detail.contains("hidden lineage") == true)
    }

    @Test func withoutAStoreNoAncestorIsResolved() throws {
        let model = try Fixtures.model(Fixtures.lineage("three-generations.json"))
        let result = LineageResolver(store: nil, trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
            .resolve(model.statement, envelopeSHA256: model.sha256)
        #expect(result.links.map(\.status) == [.notResolved])
        #expect(result.ancestors.isEmpty)
    }

    @Test func storeEntriesThatAreNotProvenanceManifestsAreInvalid() throws {
        let text = try DSSEEnvelope.sign(
            payload: Array("not a manifest".utf8), payloadType: "text/plain",
            keys: [(try Fixtures.privateKey("acme-developer"), nil)]
        ).encoded()
        let textDigest = try Digests.sha256Hex(text)
        let garbage = Array("{\"payloadType\": 1}".utf8)
        let garbageDigest = try Digests.sha256Hex(garbage)
        let child = try Fixtures.signedManifest(Fixtures.manifestYAML(
            name: "acme-odd", parents: [("notes", "adapter", textDigest), ("junk", "merge", garbageDigest)]))
        let result = try resolve(child.statement, envelopeSHA256: try Digests.sha256Hex(child.envelope), entries: [
            (textDigest, "notes.json", text), (garbageDigest, "junk.json", garbage),
        ])
        #expect(result.links.map(\.status) == [.invalid, .invalid])
        #expect(result.links.first?.detail == "notes.json is not a provenance manifest")
        #expect(result.links.last?.detail.hasPrefix("junk.json: ") == true)
    }

    /// A real cycle would need two envelopes each containing the other's SHA-256 — a pre-image the signer cannot
    /// find — so the store here is indexed by made-up digests to reach the guard the resolver keeps anyway.
    @Test func cycleThroughTheStoreIsDetected() throws {
        let a = String(repeating: "a", count: 64)
        let b = String(repeating: "b", count: 64)
        func signed(_ name: String, parent: String, digest: String) throws
            -> (statement: ProvenanceStatement, envelope: [UInt8])
        {
            try Fixtures.signedManifest(Fixtures.manifestYAML(name: name, parents: [(parent, "merge", digest)]))
        }
        let loopA = try signed("loop-a", parent: "loop-b", digest: b)
        let loopB = try signed("loop-b", parent: "loop-a", digest: a)
        let root = try signed("loop-root", parent: "loop-a", digest: a)
        let result = try resolve(root.statement, envelopeSHA256: String(repeating: "c", count: 64), entries: [
            (a, "loop-a.json", loopA.envelope), (b, "loop-b.json", loopB.envelope),
        ])
        #expect(result.links.map(\.status) == [.verified, .verified, .cycle])
        let cycle = try #require(result.links.last)
        #expect(cycle.path == ["loop-root 1.0.0", "loop-a", "loop-b", "loop-a"])
        #expect(cycle.detail == "sha256:\(a) is already on the path loop-root 1.0.0 ← loop-a ← loop-b")
        #expect(cycle.depth == 3)
        // The walk stops at the cycle: it terminates and does not list the loop twice.
        #expect(result.tree.parents.first?.parents.first?.parents.first?.parents.isEmpty == true)
    }

    @Test func parentNamingTheModelItselfIsACycle() throws {
        let own = String(repeating: "d", count: 64)
        let yaml = Fixtures.manifestYAML(name: "ouroboros", parents: [("ouroboros", "merge", own)])
        let root = try Fixtures.signedManifest(yaml)
        let result = try resolve(root.statement, envelopeSHA256: own, entries: [(own, "ouroboros.json", root.envelope)])
        #expect(result.links.map(\.status) == [.cycle])
        #expect(result.links.first?.path == ["ouroboros 1.0.0", "ouroboros"])
    }

    @Test func depthIsBounded() throws {
        let result = try resolve("three-generations", maxDepth: 1)
        #expect(result.links.map(\.status) == [.verified, .tooDeep])
        #expect(result.links.last?.detail == "deeper than 1 generations; not followed")
        #expect(result.links.last?.path.last == "acme-base-7b")
        #expect(result.ancestors.count == 1)
    }

    @Test func distillationTeacherWithAManifestIsFollowed() throws {
        let base = try digest(of: Fixtures.lineage("store/acme-base-7b.json"))
        let student = try Fixtures.signedManifest(Fixtures.manifestYAML(name: "acme-student", teacherDigest: base))
        let resolver = LineageResolver(
            store: try Fixtures.store(), trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
        let result = resolver.resolve(student.statement, envelopeSHA256: try Digests.sha256Hex(student.envelope))
        #expect(result.links.map(\.status) == [.verified])
        #expect(result.links.first?.relation == "distillation-teacher")
        #expect(result.links.first?.pointer == "/predicate/lineage/distillationSources/0/manifestDigest")
    }
}

@Suite("Lineage: the manifest store")
struct ManifestStoreTests {
    @Test func indexesEveryEnvelopeByTheDigestOfItsFile() throws {
        let store = try Fixtures.store()
        #expect(store.entries.count == 7)
        for entry in store.entries.values {
            #expect(try digest(of: entry.file) == entry.sha256)
            #expect(store.entries[entry.sha256]?.file == entry.file)
        }
    }

    @Test func aMissingDirectoryIsAnError() {
        #expect(throws: InputFile.ReadError.self) {
            try ManifestStore.load(directory: Fixtures.lineage("no-such-store"))
        }
    }

    @Test func onlyJSONFilesDirectlyInsideAreRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("nested"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let envelope = try Data(contentsOf: URL(fileURLWithPath: Fixtures.lineage("store/acme-base-7b.json")))
        try envelope.write(to: directory.appendingPathComponent("base.json"))
        try envelope.write(to: directory.appendingPathComponent("copy.json"))
        try envelope.write(to: directory.appendingPathComponent("base.txt"))
        try envelope.write(to: directory.appendingPathComponent("nested/deep.json"))
        let store = try ManifestStore.load(directory: directory.path)
        // Two identical files are one entry (the first name, sorted); other extensions and subdirectories are ignored.
        #expect(store.entries.count == 1)
        #expect(store.entries.values.first?.file.hasSuffix("/base.json") == true)
    }
}

@Suite("Lineage: renderings")
struct LineageRenderingTests {
    @Test(arguments: ["txt", "dot", "mermaid", "json"])
    func threeGenerationsMatchTheCommittedOutput(format: String) throws {
        let tree = try resolve("three-generations").tree
        let rendered: String
        switch format {
        case "txt": rendered = LineageRendering.text(tree)
        case "dot": rendered = LineageRendering.dot(tree)
        case "mermaid": rendered = LineageRendering.mermaid(tree)
        default: rendered = String(decoding: try ReportJSON.encode(tree), as: UTF8.self)
        }
        let expected = try Fixtures.text(Fixtures.lineage("expected/three-generations.\(format)"))
        #expect(rendered == expected)
    }

    @Test func unverifiedAncestorsAreMarked() throws {
        let tree = try resolve("untrusted-ancestor").tree
        #expect(LineageRendering.text(tree).contains("└─ fine-tune ← rogue-base-7b [untrusted] sha256:"))
        #expect(LineageRendering.dot(tree).contains("label=\"rogue-base-7b\\nuntrusted\", color=red3"))
        #expect(LineageRendering.mermaid(tree).contains("style n2 stroke:#c00,stroke-width:2px"))
    }

    @Test func namesAreEscapedForGraphviz() {
        let tree = LineageNode(
            name: "quote \" back \\ slash", relation: nil, manifestSHA256: nil, status: "verified", developer: nil,
            parents: [])
        #expect(LineageRendering.dot(tree).contains("label=\"quote \\\" back \\\\ slash\\nverified\""))
        #expect(LineageRendering.mermaid(tree).contains("n1[\"quote #34; back \\ slash<br/>verified\"]"))
    }
}

@Suite("Lineage: policy rules over the ancestry")
struct LineagePolicyTests {
    static let policy = Fixtures.lineage("policy.yaml")

    private func findings(_ report: ModelReport, _ rule: String) -> [Finding] {
        report.findings.filter { $0.ruleID == rule }
    }

    @Test func threeGenerationsPass() throws {
        let report = try Fixtures.audit(Fixtures.lineage("three-generations.json"), policy: Self.policy)
        #expect(report.verdict == .compliant, "\(report.findings.filter { $0.status != .pass })")
        #expect(findings(report, "LIN-ANCESTORS").map(\.status) == [.pass, .pass])
        #expect(findings(report, "LIN-DEPTH").map(\.observed) == ["2"])
        #expect(report.lineage?.parents.first?.name == "acme-chat-7b 1.0.0")
    }

    @Test func deniedGrandparentDeveloperFailsWithThePath() throws {
        let report = try Fixtures.audit(Fixtures.lineage("denied-grandparent.json"), policy: Self.policy)
        let path = ["acme-tune-7b-chat 1.0.0", "acme-tune-7b", "blackfen-base-7b"]
        #expect(report.verdict == .nonCompliant)

        let jurisdiction = findings(report, "JUR-DEVELOPER").filter { $0.status == .fail }
        #expect(jurisdiction.count == 1)
        #expect(jurisdiction.first?.path == path)
        #expect(jurisdiction.first?.observed == "CN")
        #expect(jurisdiction.first?.message.contains("ancestor blackfen-base-7b developer Blackfen Dynamics") == true)

        let vendors = findings(report, "VENDORS-DENY").filter { $0.status == .fail }
        #expect(vendors.count == 1)
        #expect(vendors.first?.path == path)
        #expect(vendors.first?.message.contains("acme-tune-7b-chat 1.0.0 ← acme-tune-7b ← blackfen-base-7b") == true)

        // The model and its parent are fine: only the grandparent fails.
        #expect(report.findings.filter { $0.status == .fail }.count == 2)
        #expect(findings(report, "JUR-DEVELOPER").filter { $0.status == .pass }.count == 2)
    }

    @Test func screenedGrandparentDeveloperFailsWithThePath() throws {
        let report = try Fixtures.audit(Fixtures.lineage("screened-grandparent.json"), policy: Self.policy)
        let failures = report.findings.filter { $0.status == .fail }
        #expect(failures.map(\.ruleID) == ["SCREENING"])
        let hit = try #require(failures.first)
        #expect(hit.path == ["acme-small-3b-chat 1.0.0", "acme-small-3b", "hollowmere-base-3b"])
        #expect(hit.message.contains("lineage-developer Hollowmere Analytics (ancestor hollowmere-base-3b)"))
        #expect(hit.message.contains("Hollowmere Analytics LLC on fixture-list"))
        #expect(hit.observed == "\"Hollowmere Analytics\" matches \"Hollowmere Analytics LLC\"")
    }

    @Test(arguments: [
        ("missing-ancestor", "missing", ["acme-ghost-3b 1.0.0", "ghost-base-3b"]),
        ("untrusted-ancestor", "untrusted", ["acme-rogue-7b 1.0.0", "rogue-base-7b"]),
        ("parent-digest-mismatch", "mismatch", ["acme-chat-7b-legal 1.0.0", "acme-chat-7b"]),
    ])
    func unverifiedAncestorFailsTheModel(scenario: String, status: String, path: [String]) throws {
        let report = try Fixtures.audit(Fixtures.lineage("\(scenario).json"), policy: Self.policy)
        #expect(report.verdict == .nonCompliant)
        let failures = report.findings.filter { $0.status == .fail }
        #expect(failures.map(\.ruleID) == ["LIN-ANCESTORS"])
        #expect(failures.first?.observed == status)
        #expect(failures.first?.path == path)
        #expect(failures.first?.pointer == "/predicate/lineage/parents/0/manifestDigest")
        #expect(failures.first?.message.hasPrefix("unverified ancestor \(path.joined(separator: " ← ")): \(status)")
            == true)
    }

    @Test func withoutAStoreEveryParentFails() throws {
        let report = try Fixtures.audit(
            Fixtures.lineage("three-generations.json"), policy: Self.policy, store: false)
        let failures = report.findings.filter { $0.status == .fail }
        #expect(failures.map(\.ruleID) == ["LIN-ANCESTORS"])
        #expect(failures.first?.observed == "not-resolved")
    }

    @Test func maxDepthRule() throws {
        let three = try resolve("three-generations")
        let model = try Fixtures.model(Fixtures.lineage("three-generations.json"))
        func outcome(maxDepth: Int) throws -> CheckOutcome {
            let log = ProblemLog()
            let value = try StrictJSON.parse(Array("{\"maxDepth\": \(maxDepth)}".utf8))
            let parameters = try #require(ObjectReader.make(value, pointer: "/rules/0", log: log))
            let rule = try #require(LineageMaxDepth(parameters: parameters,
                context: PolicyParseContext(screeningListIDs: [])))
            #expect(log.problems.isEmpty)
            let subject = EvaluationSubject(
                file: model.path, envelopeSHA256: model.sha256,
                signatures: EnvelopeVerifier(trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
                    .verify(model.envelope),
                statement: model.statement, time: try Fixtures.time(), screeningLists: [:], lineage: three)
            return try #require(rule.evaluate(subject).first)
        }
        #expect(try outcome(maxDepth: 2).status == .pass)
        let tooDeep = try outcome(maxDepth: 1)
        #expect(tooDeep.status == .fail)
        #expect(tooDeep.observed == "2")
        #expect(tooDeep.path == ["acme-chat-7b-support 1.0.0", "acme-chat-7b", "acme-base-7b"])
        #expect(try outcome(maxDepth: 0).expected == "at most 0")
    }
}

/// An ancestry where every generation is two manifests and both name both manifests of the generation above: 2^n
/// paths to the oldest generation through 2n distinct manifests. Signed in-process with the fixture developer key.
struct DiamondAncestry {
    let model: (statement: ProvenanceStatement, envelope: [UInt8])
    let store: ManifestStore
    let generations: Int

    init(generations: Int) throws {
        var entries: [String: ManifestStore.Entry] = [:]
        var above: [(name: String, digest: String)] = []
        for generation in stride(from: generations, through: 1, by: -1) {
            var current: [(name: String, digest: String)] = []
            for side in ["left", "right"] {
                let name = "diamond-\(side)-\(generation)"
                let signed = try Fixtures.signedManifest(Fixtures.manifestYAML(
                    name: name, parents: above.map { ($0.name, "merge", $0.digest) }))
                let digest = try Digests.sha256Hex(signed.envelope)
                entries[digest] = ManifestStore.Entry(file: "\(name).json", sha256: digest, bytes: signed.envelope)
                current.append((name, digest))
            }
            above = current
        }
        model = try Fixtures.signedManifest(Fixtures.manifestYAML(
            name: "diamond-model", parents: above.map { ($0.name, "merge", $0.digest) }))
        store = ManifestStore(directory: "diamond-store", entries: entries)
        self.generations = generations
    }

    func resolver(maxDepth: Int = LineageResolver.generationLimit) throws -> LineageResolver {
        LineageResolver(
            store: store, trustStore: try Fixtures.trustStore(), time: try Fixtures.time(), maxDepth: maxDepth)
    }

    var modelSHA256: String { get throws { try Digests.sha256Hex(model.envelope) } }
}

@Suite("Lineage: an ancestry shared by many paths")
struct SharedAncestryTests {
    @Test func sixtyFourGenerationDiamondVerifiesEachManifestOnce() throws {
        let diamond = try DiamondAncestry(generations: 64)
        let resolver = try diamond.resolver()
        let result = resolver.resolve(diamond.model.statement, envelopeSHA256: try diamond.modelSHA256)

        // 128 distinct manifests, each verified once and reported once; the other links repeat them.
        #expect(resolver.verificationCount == 128)
        #expect(result.reported.count == 128)
        #expect(Set(result.reported.compactMap(\.digest)).count == 128)
        #expect(result.reported.allSatisfy { $0.status == .verified })
        #expect(result.links.count == 2 + 4 * 63)
        #expect(result.links.filter(\.isRepeat).count == 2 * 63)
        #expect(result.links.filter(\.isRepeat).allSatisfy { $0.status == .verified && $0.detail.contains("above") })
        #expect(result.ancestors.count == 128)
        #expect(Set(result.ancestors.compactMap { $0.statement?.predicate.model.name }).count == 128)

        // The longest chain is every generation; the path names one manifest per generation.
        #expect(result.depth == 64)
        #expect(result.deepestPath.count == 65)
        #expect(result.deepestPath.first == "diamond-model 1.0.0")
        #expect(result.deepestPath.last?.hasSuffix("-64") == true)

        // The tree has one node per link; repeats have no parents of their own.
        func count(_ node: LineageNode) -> (nodes: Int, repeats: Int) {
            node.parents.map(count).reduce((1, node.repeated == true ? 1 : 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        #expect(count(result.tree) == (1 + 254, 126))
        let text = LineageRendering.text(result.tree)
        #expect(text.split(separator: "\n").count == 255)
        #expect(text.components(separatedBy: "(repeat: see above)").count - 1 == 126)
        // The graphs draw each manifest once: the model and 128 ancestors, one edge per link.
        let dot = LineageRendering.dot(result.tree)
        #expect(dot.components(separatedBy: "label=\"diamond-").count - 1 == 129)
        #expect(dot.components(separatedBy: " -> ").count - 1 == 254)

        // A second model of the same run reuses every verdict.
        _ = resolver.resolve(diamond.model.statement, envelopeSHA256: try diamond.modelSHA256)
        #expect(resolver.verificationCount == 128)
    }

    @Test func maxDepthRuleJudgesTheLongestChain() throws {
        let diamond = try DiamondAncestry(generations: 64)
        let result = try diamond.resolver().resolve(diamond.model.statement, envelopeSHA256: try diamond.modelSHA256)
        func status(maxDepth: Int) throws -> CheckOutcome.Status {
            let log = ProblemLog()
            let value = try StrictJSON.parse(Array("{\"maxDepth\": \(maxDepth)}".utf8))
            let parameters = try #require(ObjectReader.make(value, pointer: "/rules/0", log: log))
            let rule = try #require(LineageMaxDepth(parameters: parameters,
                context: PolicyParseContext(screeningListIDs: [])))
            let envelope = try DSSEEnvelope.decode(diamond.model.envelope)
            let subject = EvaluationSubject(
                file: "diamond-model.json", envelopeSHA256: try diamond.modelSHA256,
                signatures: EnvelopeVerifier(trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
                    .verify(envelope),
                statement: diamond.model.statement, time: try Fixtures.time(), screeningLists: [:], lineage: result)
            return try #require(rule.evaluate(subject).first).status
        }
        #expect(try status(maxDepth: 64) == .pass)
        #expect(try status(maxDepth: 63) == .fail)
    }

    @Test func generationsPastTheBoundAreTooDeepOnce() throws {
        let diamond = try DiamondAncestry(generations: 12)
        let resolver = try diamond.resolver(maxDepth: 10)
        let result = resolver.resolve(diamond.model.statement, envelopeSHA256: try diamond.modelSHA256)
        let tooDeep = result.links.filter { $0.status == .tooDeep }
        #expect(tooDeep.count == 4)
        #expect(tooDeep.filter { !$0.isRepeat }.map(\.name).sorted() == ["diamond-left-11", "diamond-right-11"])
        #expect(tooDeep.allSatisfy { $0.detail == "deeper than 10 generations; not followed" })
        // Only the 20 manifests within the bound are verified; the depth counts the too-deep generation.
        #expect(resolver.verificationCount == 20)
        #expect(result.depth == 11)
    }

    @Test func aFleetVerifiesEachSharedAncestorOnce() throws {
        let base = try digest(of: Fixtures.lineage("store/acme-base-7b.json"))
        let chat = try digest(of: Fixtures.lineage("store/acme-chat-7b.json"))
        let sibling = try Fixtures.signedManifest(Fixtures.manifestYAML(
            name: "acme-chat-7b-sibling",
            parents: [("acme-chat-7b", "fine-tune", chat), ("acme-base-7b", "merge", base)]))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let siblingFile = directory.appendingPathComponent("sibling.json")
        try Data(sibling.envelope).write(to: siblingFile)
        let auditor = Auditor(
            policy: nil,
            context: AuditContext(
                time: try Fixtures.time(), trust: AuditContext.Trust(store: try Fixtures.trustStore()),
                store: try Fixtures.store()))
        let reports = auditor.auditFleet(files: [Fixtures.lineage("three-generations.json"), siblingFile.path])
        #expect(reports.map(\.verdict) == [.compliant, .compliant])
        // Both models reach acme-chat-7b and acme-base-7b: two envelopes verified in the whole run.
        #expect(auditor.lineageResolver.verificationCount == 2)
        #expect(reports.last?.lineage?.parents.map { $0.repeated ?? false } == [false, true])
    }

    /// A shortcut to an ancestor does not shorten the chain the depth rule judges: a model that names its
    /// grandparent directly as well is still two generations deep.
    @Test func aShortcutDoesNotHideTheLongerChain() throws {
        let base = try digest(of: Fixtures.lineage("store/acme-base-7b.json"))
        let chat = try digest(of: Fixtures.lineage("store/acme-chat-7b.json"))
        let yaml = Fixtures.manifestYAML(
            name: "acme-shortcut", parents: [("acme-base-7b", "merge", base), ("acme-chat-7b", "merge", chat)])
        let model = try Fixtures.signedManifest(yaml)
        let resolver = LineageResolver(
            store: try Fixtures.store(), trustStore: try Fixtures.trustStore(), time: try Fixtures.time())
        let result = resolver.resolve(model.statement, envelopeSHA256: try Digests.sha256Hex(model.envelope))
        #expect(result.links.map(\.name) == ["acme-base-7b", "acme-chat-7b", "acme-base-7b"])
        #expect(result.links.map(\.isRepeat) == [false, false, true])
        #expect(result.depth == 2)
        #expect(result.deepestPath == ["acme-shortcut 1.0.0", "acme-chat-7b", "acme-base-7b"])
        #expect(resolver.verificationCount == 2)
    }
}
