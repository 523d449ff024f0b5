import Foundation
import Testing

/// Screening through the real binary: a signed manifest whose developer name hides a listed entity.
@Suite("audit screening against disguised names")
struct ScreeningEndToEndTests {
    static let list = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures/policy/screening/acme-list.csv")

    /// A signed manifest naming `developer` (a YAML double-quoted string body), and a screening policy.
    static func setUp(developer: String) throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try ws.write(
            "policy.yaml",
            """
            version: 1
            name: "Screening"
            screeningLists: [{id: acme-list, file: "\(list.path)"}]
            rules:
              - {id: SCREEN, type: screening.entity-lists, severity: critical, title: "No party is on a list"}
            """)
        try ws.write(
            "manifest.yaml",
            """
            _type: "https://in-toto.io/Statement/v1"
            subject: [{name: "model.safetensors", digest: {sha256: "\(String(repeating: "0", count: 64))"}}]
            predicateType: "https://model-audit.dev/provenance/v1"
            predicate:
              model: {name: "harbor-chat", version: "1.0.0", license: "Apache-2.0", format: "safetensors", \
            source: "https://models.example/harbor-chat"}
              origin: {developer: {name: "\(developer)", country: "HK", independent: true, affiliations: []}}
              hosting: {mode: "self-hosted"}
              lineage: {parents: [], datasets: [], distillationSources: []}
              dataRetention: []
              audits: []

            """)
        let signed = try ws.run(["sign", "manifest.yaml", "--key", "dev.key", "-o", "model.json"])
        #expect(signed.exitCode == 0, "\(signed)")
        return ws
    }

    static func verify(_ ws: Workspace, _ extra: [String] = []) throws -> AuditBinary.Result {
        // Wide enough that no message the tests look for is wrapped.
        try ws.run(
            ["verify", "model.json", "--trust", "trust", "--policy", "policy.yaml", "--at", "2026-06-01T00:00:00Z"]
                + extra, environment: ["COLUMNS": "1000"])
    }

    @Test("a listed developer hidden by a zero-width space and a Cyrillic letter fails with exit 1 and a flag")
    func disguisedDeveloperFails() throws {
        let ws = try Self.setUp(developer: #"Harbor\u200B Crest H\u043Eldings"#)
        let result = try Self.verify(ws)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("matches screening list entry Harbor Crest Holdings Co., Ltd."), "\(result)")
        #expect(result.stdout.contains("through look-alike characters"), "\(result)")
        #expect(result.stdout.contains("name contains 1 invisible character"), "\(result)")
        #expect(result.stdout.contains("name mixes Latin and Cyrillic"), "\(result)")

        let json = try Self.verify(ws, ["--format", "json"])
        #expect(json.exitCode == 1, "\(json)")
        #expect(json.stdout.contains("name mixes Latin and Cyrillic"), "\(json)")
    }

    @Test("a listed developer reversed by a right-to-left override fails with exit 1")
    func reversedDeveloperFails() throws {
        let ws = try Self.setUp(developer: #"\u202Esgnidloh tserC robraH\u202C"#)
        let result = try Self.verify(ws)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("name contains 2 invisible characters"), "\(result)")
    }

    @Test("an innocent developer name passes with exit 0")
    func innocentDeveloperPasses() throws {
        let ws = try Self.setUp(developer: "Harbour Crescent Labs")
        let result = try Self.verify(ws)
        #expect(result.exitCode == 0, "\(result)")
        #expect(!result.stdout.contains("invisible"), "\(result)")
    }
}
