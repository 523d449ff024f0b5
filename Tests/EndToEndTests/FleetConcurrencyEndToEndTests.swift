import Foundation
import Testing

/// `audit report` audits models concurrently; the report must not depend on how many run at once.
@Suite("audit report --jobs")
struct FleetConcurrencyEndToEndTests {
    static func report(jobs: Int, format: String) throws -> AuditBinary.Result {
        try AuditBinary.run(
            ["report", "manifests", "--trust", "keys", "--policy", "policies/enterprise-default.yaml", "--store",
                "manifests", "--at", "2026-10-01T00:00:00Z", "--format", format, "--jobs", "\(jobs)"],
            in: AuditBinary.packageRoot)
    }

    @Test("one, two and eight workers give byte-identical reports, waivers included", arguments: ["json", "text"])
    func sameReportWhateverTheConcurrency(format: String) throws {
        let one = try Self.report(jobs: 1, format: format)
        #expect(one.exitCode == 1, "the sample fleet has non-compliant models: \(one)")
        if format == "text" { #expect(one.stdout.contains("waivers ("), "the text report lists the waivers") }
        for jobs in [2, 8] {
            let many = try Self.report(jobs: jobs, format: format)
            #expect(many.exitCode == one.exitCode)
            #expect(many.stdout == one.stdout, "--jobs \(jobs) changed the \(format) report")
        }
        if format == "json" {
            let object = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
            let waivers = object?["waivers"] as? [[String: Any]] ?? []
            #expect(waivers.contains { $0["state"] as? String == "applied" || $0["state"] as? String == "expired" },
                "the waiver section is computed from the models' findings: \(waivers)")
        }
    }

    @Test("--jobs 0 is a usage error")
    func zeroJobs() throws {
        let result = try Self.report(jobs: 0, format: "json")
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("--jobs must be between 1 and 1024"), "\(result)")
    }
}
