import Foundation
import Testing

@testable import ModelAudit

/// One `AuditContext` decides how every model of a run is judged: its threshold, time and trust reach each step,
/// and the model directory and custody bundle it finds for a file are the ones verified.
@Suite struct AuditContextTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    static func context(threshold: Int = 1, time: String = "2026-10-01T00:00:00Z") throws -> AuditContext {
        AuditContext(
            time: try #require(RFC3339.parse(time)),
            trust: AuditContext.Trust(store: try TrustStore.load(directory: path("keys"))), threshold: threshold,
            store: try ManifestStore.load(directory: path("manifests")), concurrency: 1)
    }

    static func signatureFinding(_ model: ModelReport) -> Finding? {
        model.findings.first { $0.ruleID == IntegrityChecks.signatureRule }
    }

    @Test("the context's threshold decides whether a once-signed manifest verifies")
    func thresholdComesFromTheContext() throws {
        let file = Self.path("manifests/mistvale-mini-3b.json")
        let once = try Auditor(policy: nil, context: Self.context()).audit(file: file)
        #expect(Self.signatureFinding(once)?.status == .pass)
        let twice = try Auditor(policy: nil, context: Self.context(threshold: 2)).audit(file: file)
        #expect(Self.signatureFinding(twice)?.status == .fail)
        #expect(twice.verdict == .nonCompliant)
    }

    @Test("the context's time decides whether the signing key is valid")
    func timeComesFromTheContext() throws {
        let file = Self.path("manifests/mistvale-mini-3b.json")
        // Every demo key is valid from 2026-01-01 to the end of 2028.
        let later = try Auditor(policy: nil, context: Self.context(time: "2030-01-01T00:00:00Z")).audit(file: file)
        #expect(Self.signatureFinding(later)?.status == .fail)
        #expect(later.verdict == .nonCompliant)
    }

    @Test("a model's verification takes the model directory and custody bundle the context finds for its file")
    func perFileOptions() throws {
        var context = try Self.context(threshold: 3)
        context.artifacts = AuditContext.ArtifactOptions(
            modelDirectory: { "\($0).files" }, followSymlinks: true, extraFiles: .warn)
        context.custodyBundle = { .named("\($0).custody") }
        let loaded = try LoadedEnvelope.load(Self.path("manifests/mistvale-mini-3b.json"), limits: .default)
        let options = context.verificationOptions(for: loaded)
        #expect(options.modelDirectory == loaded.file + ".files")
        #expect(options.custodyBundle == loaded.file + ".custody")
        #expect(options.custodyBundleIsSidecar == false)
        #expect(options.followSymlinks)
        #expect(options.threshold == 3)
        #expect(options.time == context.time)
        #expect(options.envelopeSHA256 == loaded.sha256)
    }
}
