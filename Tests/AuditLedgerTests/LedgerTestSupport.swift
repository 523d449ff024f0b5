import AuditLedger
#if canImport(AuditLedgerPostgres)
import AuditLedgerPostgres
#endif
import Foundation
import ModelAudit
import Testing

/// The databases every ledger test runs on: SQLite always, PostgreSQL when `AUDIT_TEST_POSTGRES_URL` names a server
/// (`scripts/with-postgres.sh` starts one; `.ci/run` always does).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresURL: String? = {
        #if canImport(AuditLedgerPostgres)
        guard let url = ProcessInfo.processInfo.environment["AUDIT_TEST_POSTGRES_URL"], !url.isEmpty else {
            FileHandle.standardError.write(Data("""
                ************************************************************************
                * PostgreSQL ledger tests SKIPPED: AUDIT_TEST_POSTGRES_URL is not set. *
                * Run them with: scripts/with-postgres.sh swift test                   *
                ************************************************************************

                """.utf8))
            return nil
        }
        return url
        #else
        FileHandle.standardError.write(Data(
            "*** PostgreSQL ledger tests SKIPPED: built with AUDIT_WITHOUT_POSTGRES ***\n".utf8))
        return nil
        #endif
    }()

    /// The backends to run on here.
    static var available: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A throwaway ledger: a SQLite file in a fresh directory, or a fresh PostgreSQL database; removed afterwards.
final class ScratchLedger {
    let backend: Backend
    let url: String
    private let directory: URL
    private let databaseName: String?

    init(_ backend: Backend) throws {
        self.backend = backend
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch backend {
        case .sqlite:
            databaseName = nil
            url = "sqlite:" + directory.appendingPathComponent("ledger.db").path
        case .postgres:
            let base = try #require(Backend.postgresURL)
            let name = "ledger_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try Self.psql(base, "CREATE DATABASE \(name)")
            databaseName = name
            url = Self.replacingDatabase(in: base, with: name)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
        if let databaseName, let base = Backend.postgresURL {
            try? Self.psql(base, "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        }
    }

    var sqlitePath: String { String(url.dropFirst("sqlite:".count)) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func open(create: Bool = true) throws -> LedgerStore {
        switch try LedgerURL.parse(url) {
        case .sqlite(let path, _): return try SQLiteLedger(path: path, create: create)
        case .postgres(let location):
            #if canImport(AuditLedgerPostgres)
            return try PostgresLedger(location, create: create)
            #else
            _ = location
            throw LedgerError.unavailable("built without PostgreSQL support")
            #endif
        }
    }

    /// Runs SQL on the database behind the ledger's back, as an intruder with write access would.
    func tamper(_ sql: String) throws {
        switch backend {
        case .sqlite: try Self.run("/usr/bin/env", ["sqlite3", sqlitePath, sql])
        case .postgres: try Self.psql(url, sql)
        }
    }

    static func psql(_ url: String, _ sql: String) throws {
        try run("/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ToolFailure(description: "\(arguments.first ?? executable) failed: \(text)")
        }
        return text
    }

    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }
}

/// Reports and decisions made up for the tests.
enum Sample {
    static func finding(_ rule: String, _ status: FindingStatus) -> Finding {
        Finding(ruleID: rule, title: rule, status: status, severity: .high, message: "\(rule) \(status.rawValue)")
    }

    static func report(
        models: [(name: String, version: String, developer: String, findings: [Finding])],
        policy: String = "enterprise-default", policySHA: String = String(repeating: "a", count: 64),
        trustSHA: String = String(repeating: "b", count: 64), waivers: [WaiverReport] = []
    ) -> AuditReport {
        AuditReport(
            evaluatedAt: Date(timeIntervalSince1970: 1_780_000_000), mode: .enforce,
            policy: PolicyInfo(name: policy, file: "\(policy).yaml", sha256: policySHA, sources: []),
            trustStore: TrustStoreInfo(directory: "keys", sha256: trustSHA, keys: ["k1"]), screeningLists: [],
            models: models.map { model in
                ModelReport(
                    file: "\(model.name).json", envelopeSHA256: digest(of: model.name + model.version),
                    name: model.name, version: model.version, developer: model.developer, findings: model.findings)
            },
            waivers: waivers)
    }

    static func decisions(_ report: AuditReport, host: String = "test-host") -> [LedgerDecision] {
        LedgerDecision.decisions(
            from: report, origin: "test", context: LedgerDecision.RunContext(host: host, ci: [:]))
    }

    /// A fleet of `count` models, alternating verdicts and developers.
    static func fleet(_ count: Int) -> AuditReport {
        report(models: (0..<count).map { index in
            (name: "model-\(index)", version: "1.0.\(index)", developer: index % 2 == 0 ? "Acme" : "Globex",
             findings: [finding("signature.valid", index % 3 == 0 ? .fail : .pass)])
        })
    }

    static func digest(of text: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }
}
