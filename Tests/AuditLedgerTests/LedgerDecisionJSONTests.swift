import AuditLedger
import Foundation
import ModelAudit
import Testing

/// The ledger's own JSON writer gives, byte for byte, what `JSONEncoder` gave for the same decision: records written
/// before it keep verifying, and a record's hash does not depend on which writer made its content.
@Suite("Ledger decision JSON")
struct LedgerDecisionJSONTests {
    /// Text that exercises every escape and byte range: quotes, backslashes, slashes, every C0 control, DEL, Latin,
    /// combining marks, CJK, an emoji with a joiner, and the line and paragraph separators.
    static let awkward: [String] = [
        "",
        "plain",
        "quote \" backslash \\ slash / and \\/",
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7F}",
        "tab\tnew\nline\r\nform\u{0C}back\u{08}space",
        "Zoë, café (NFC) and cafe\u{301} (NFD)",
        "模型审计 — “quoted” ‘single’ «guillemets»",
        "emoji 👩‍🔬 flag 🇪🇺 and \u{2028}\u{2029} separators",
        "{\"json\": [\"inside\", 1, null]}",
    ]

    /// A decision with every field set, optionals present, and `text` in every string it holds.
    static func fullDecision(_ text: String) throws -> LedgerDecision {
        let waiver = WaiverReport(
            rule: "lineage.\(text)", model: "model \(text)", justification: text, approver: "approver \(text)",
            expires: "2027-01-01", state: .applied, appliedTo: ["b \(text)", "a \(text)", text])
        let finding = Finding(
            ruleID: "rule.\(text)", title: "title \(text)", status: .waived, severity: .critical,
            message: "message \(text)", expected: "expected \(text)", observed: "observed \(text)",
            pointer: "/predicate/\(text)", controls: ["EU-AI-Act Art. 10", text], remediation: "fix \(text)",
            path: ["model", text, "ancestor"],
            waiver: try made(["justification": "why \(text)", "approver": "who \(text)", "expires": "2027-01-01"]))
        let bare = Finding(ruleID: "bare", title: "", status: .pass, severity: .info, message: text)
        var decision = Sample.decisions(Sample.report(
            models: [(name: "model \(text)", version: "1.0 \(text)", developer: "dev \(text)",
                findings: [finding, bare])],
            policy: "policy \(text)", waivers: [waiver]))[0]
        decision.waivers = [waiver]
        decision.recordedAt = "2026-12-02T01:02:03.456Z"
        decision.origin = "origin \(text)"
        decision.tool = try made(["name": "audit", "version": "1.2.3 \(text)"])
        decision.evaluatedAt = "eval \(text)"
        decision.file = "dir/\(text).json"
        decision.subjects = [
            SubjectDigest(name: "weights \(text)", digest: ["sha512": "ff", "sha256": text, "blake3": "00"]),
            SubjectDigest(name: "empty", digest: [:]),
        ]
        decision.trustedKeys = ["key-2", "key-1 \(text)"]
        decision.counts["zz \(text)"] = 7
        decision.counts["fail"] = 12_345
        // Keys beyond ASCII, whose byte order is not the order of Swift's `<` on strings (which takes "é" and
        // "e\u{301}" for one key, so a dictionary holds only one of them).
        var ci = [
            "GITHUB_SHA": "abc", "GITHUB_REPOSITORY": "acme/\(text)", "CI_JOB_URL": "https://ci/\(text)",
            "é": "precomposed", "e\u{301}x": "decomposed", "z": "z", "Z": "Z", "ｚ": "fullwidth", "ﬁ": "ligature",
        ]
        ci[text] = "key"
        decision.context = LedgerDecision.RunContext(host: "host \(text)", ci: ci)
        return decision
    }

    /// A value of a type whose initialiser is not public, read from its members.
    static func made<Value: Decodable>(_ members: [String: String]) throws -> Value {
        try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(members))
    }

    /// A decision with every optional absent and every collection empty.
    static func sparseDecision() -> LedgerDecision {
        var decision = Sample.decisions(Sample.report(models: [(name: "m", version: "v", developer: "d",
            findings: [])]))[0]
        decision.model = nil
        decision.version = nil
        decision.developer = nil
        decision.subjects = nil
        decision.policy = nil
        decision.trustedKeys = []
        decision.counts = [:]
        decision.findings = []
        decision.waivers = []
        decision.context = LedgerDecision.RunContext(host: "", ci: [:])
        return decision
    }

    @Test("matches JSONEncoder on decisions with every field, escapes and text beyond ASCII",
        arguments: LedgerDecisionJSONTests.awkward)
    func matchesEncoderOnFullDecisions(text: String) throws {
        let decision = try Self.fullDecision(text)
        let written = LedgerDecisionJSON.encode(decision)
        let encoded = try CanonicalJSON.encode(decision)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        #expect(written == encoded)
        // And it reads back as the same decision.
        #expect(try JSONDecoder().decode(LedgerDecision.self, from: Data(written)) == decision)
    }

    @Test("matches JSONEncoder when optionals are absent and collections empty")
    func matchesEncoderOnSparseDecision() throws {
        let decision = Self.sparseDecision()
        #expect(LedgerDecisionJSON.encode(decision) == (try CanonicalJSON.encode(decision)))
    }

    @Test("matches JSONEncoder on the decisions of a sample fleet")
    func matchesEncoderOnFleet() throws {
        for decision in Sample.decisions(Sample.fleet(20)) {
            #expect(LedgerDecisionJSON.encode(decision) == (try CanonicalJSON.encode(decision)))
        }
    }

    @Test("a record's hash is the same whichever writer made its content")
    func chainIsUnchanged() throws {
        let decisions = try LedgerDecisionJSONTests.awkward.map(Self.fullDecision)
        let now = Date(timeIntervalSince1970: 1_790_000_000.25)
        let records = try LedgerChain.seal(decisions, after: nil, now: now, signer: nil)
        var previous: (sequence: Int64, hash: String)?
        for (record, decision) in zip(records, decisions) {
            var stamped = decision
            stamped.recordedAt = LedgerTime.format(now)
            let encoded = String(decoding: try CanonicalJSON.encode(stamped), as: UTF8.self)
            #expect(record.content == encoded)
            let expected = try LedgerChain.hash(
                sequence: record.sequence, previousHash: previous?.hash ?? LedgerChain.genesis, content: encoded)
            #expect(record.hash == expected)
            #expect(LedgerChain.problem(with: record, after: previous) == nil)
            previous = (record.sequence, record.hash)
        }
    }

    @Test("rows of indexed columns read back as written, absent values as null",
        arguments: LedgerDecisionJSONTests.awkward)
    func stringRowsReadBack(text: String) throws {
        let rows: [[String?]] = [[text, nil, "b/\(text)"], [], [nil], ["\u{0}\u{1F}"]]
        let written = LedgerDecisionJSON.stringRows(rows)
        #expect(try JSONDecoder().decode([[String?]].self, from: Data(written)) == rows)
    }

    /// The writer lists each type's members by hand: a member added to one of them must be added to the writer too,
    /// or its records would silently lose it. Counting stored properties catches the addition even when the new
    /// member is an optional the fixtures above leave out.
    @Test("no type the writer spells out has gained a member it does not write")
    func membersAreAllWritten() throws {
        let decision = try Self.fullDecision("x")
        func members(_ value: Any) -> Int { Mirror(reflecting: value).children.count }
        #expect(members(decision) == 19)
        #expect(members(decision.context) == 2)
        #expect(members(decision.tool) == 2)
        #expect(decision.policy.map(members) == 2)
        #expect(decision.subjects?.first.map(members) == 2)
        // Less its `rendering` (its template), which says how reports write the finding, not what it found.
        #expect(decision.findings.first.map(members) == 12 + 1)
        let labels = decision.findings.first.map { Mirror(reflecting: $0).children.compactMap(\.label) } ?? []
        #expect(labels.contains("rendering"))
        #expect(decision.findings.first?.waiver.map(members) == 3)
        #expect(decision.waivers.first.map(members) == 7)
    }
}
