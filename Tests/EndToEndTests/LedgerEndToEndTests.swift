import Foundation
import Testing

/// The ledger as users meet it: `--ledger` on verify and report, `audit ledger …`, failures, many writers at once, a
/// writer killed mid-append, and the auditor's own check from docs/ledger.md. Each runs on SQLite and, when
/// `AUDIT_TEST_POSTGRES_URL` is set (scripts/with-postgres.sh), on PostgreSQL.
@Suite("Ledger end to end")
struct LedgerEndToEndTests {
    @Test("verify --ledger records the decision; ledger verify, show, history, query read it back",
        arguments: LedgerTarget.available)
    func recordsAndReadsBack(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        let at = ["--at", "2026-06-01T00:00:00Z"]
        let plain = try workspace.run(["verify", "env.json", "--trust", "trust"] + at)
        let recorded = try workspace.run(["verify", "env.json", "--trust", "trust", "--ledger", ledger.url] + at)
        #expect(recorded.exitCode == plain.exitCode, "\(recorded)")
        #expect(recorded.stdout == plain.stdout)
        // AUDIT_LEDGER works as well as --ledger.
        let second = try workspace.run(
            ["verify", "env.json", "--trust", "trust"], environment: ["AUDIT_LEDGER": ledger.url])
        #expect(second.exitCode == plain.exitCode, "\(second)")

        let check = try workspace.run(["ledger", "verify", "--ledger", ledger.url])
        #expect(check.exitCode == 0, "\(check)")
        #expect(check.stdout.contains("chain intact: 2 records"), "\(check)")
        let show = try workspace.run(["ledger", "show", "1", "--ledger", ledger.url])
        #expect(show.exitCode == 0, "\(show)")
        #expect(show.stdout.contains("record 1"))
        #expect(show.stdout.contains("by audit verify"))
        let json = try workspace.run(["ledger", "show", "2", "--format", "json", "--ledger", ledger.url])
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let decision = try #require(shown["decision"] as? [String: Any])
        #expect(decision["origin"] as? String == "audit verify")
        #expect(decision["envelopeSHA256"] as? String != nil)
        // The subject digests the verified signature vouches for are part of the record.
        let subjects = try #require(decision["subjects"] as? [[String: Any]], "\(decision)")
        #expect(!subjects.isEmpty && subjects.allSatisfy { ($0["digest"] as? [String: String])?["sha256"]?.count == 64 })
        let model = try #require(decision["model"] as? String)

        let history = try workspace.run(["ledger", "history", model, "--ledger", ledger.url])
        #expect(history.exitCode == 0, "\(history)")
        #expect(history.stdout.contains("#1 ") && history.stdout.contains("#2 "), "\(history)")
        let csv = try workspace.run(["ledger", "query", "--format", "csv", "--since", "2000-01-01", "--ledger",
            ledger.url])
        #expect(csv.exitCode == 0, "\(csv)")
        let lines = csv.stdout.split(separator: "\r\n")
        #expect(lines.count == 3, "\(csv)")
        #expect(lines.first?.hasPrefix("sequence,recorded_at,model") == true)
        let none = try workspace.run(["ledger", "query", "--until", "2000-01-01", "--ledger", ledger.url])
        #expect(none.stdout.contains("0 records"), "\(none)")
        #expect(try workspace.run(["ledger", "show", "99", "--ledger", ledger.url]).exitCode == 2)
    }

    @Test("report --ledger records one decision per model", arguments: LedgerTarget.available)
    func reportRecordsEveryModel(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try FileManager.default.createDirectory(atPath: workspace.path("fleet"), withIntermediateDirectories: true)
        for name in ["a", "b", "c"] {
            try FileManager.default.copyItem(
                atPath: workspace.path("env.json"), toPath: workspace.path("fleet/\(name).json"))
        }
        let report = try workspace.run(["report", "fleet", "--trust", "trust", "--ledger", ledger.url])
        #expect([0, 1].contains(report.exitCode), "\(report)")
        let query = try workspace.run(["ledger", "query", "--format", "json", "--ledger", ledger.url])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(rows.map { $0["sequence"] as? Int } == [1, 2, 3])
    }

    @Test("report --from-ledger renders the latest decision per model with verdicts over time, verifying nothing",
        arguments: LedgerTarget.available)
    func reportFromLedger(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        #expect(try workspace.run(["ledger", "append", "report.json", "report.json", "--ledger", ledger.url])
            .exitCode == 0)
        let original = try #require(try JSONSerialization.jsonObject(with: workspace.read("report.json"))
            as? [String: Any])
        // The manifest and trust store are gone: the report comes from the ledger alone.
        try FileManager.default.removeItem(atPath: workspace.path("env.json"))
        try FileManager.default.removeItem(atPath: workspace.path("trust"))
        let result = try workspace.run(["report", "--from-ledger", ledger.url, "--format", "json", "--format",
            "html=fleet.html", "--format", "markdown=fleet.md"])
        let expectedExit: Int32 = (original["models"] as? [[String: Any]])?.first?["verdict"] as? String
            == "compliant" ? 0 : 1
        #expect(result.exitCode == expectedExit, "\(result)")
        let fleet = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let models = try #require(fleet["models"] as? [[String: Any]])
        #expect(models.count == 1)
        let originalModel = try #require((original["models"] as? [[String: Any]])?.first)
        #expect(models[0]["verdict"] as? String == originalModel["verdict"] as? String)
        #expect(models[0]["envelopeSHA256"] as? String == originalModel["envelopeSHA256"] as? String)
        #expect((models[0]["findings"] as? [Any])?.count == (originalModel["findings"] as? [Any])?.count)
        let html = String(decoding: try workspace.read("fleet.html"), as: UTF8.self)
        #expect(html.contains("<section id=\"trend\"><h2>Verdicts over time</h2><svg"))
        let markdown = String(decoding: try workspace.read("fleet.md"), as: UTF8.self)
        #expect(markdown.contains("## Verdicts over time"))
        // The text options apply as they do to a fresh report: --quiet is the verdict line alone.
        let quiet = try workspace.run(["report", "--from-ledger", ledger.url, "--quiet"])
        #expect(quiet.exitCode == expectedExit, "\(quiet)")
        #expect(quiet.stdout.split(separator: "\n").count == 1, "\(quiet)")
        let both = try workspace.run(["report", "env.json", "--from-ledger", ledger.url])
        #expect(both.exitCode != 0 && both.stderr.contains("not both"), "\(both)")
    }

    @Test("an edited row makes ledger verify exit 1 naming the record", arguments: LedgerTarget.available)
    func tamperedLedgerFails(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        let append = try workspace.run(["ledger", "append", "report.json", "report.json", "report.json", "--ledger",
            ledger.url])
        #expect(append.exitCode == 0, "\(append)")
        #expect(append.stdout.split(separator: "\n").count == 3)
        try ledger.tamper("UPDATE ledger_records SET content = replace(content, 'audit ledger append', 'audit verify') "
            + "WHERE sequence = 2")
        let check = try workspace.run(["ledger", "verify", "--ledger", ledger.url])
        #expect(check.exitCode == 1, "\(check)")
        #expect(check.stdout.contains("chain broken: record 2 was altered"), "\(check)")
    }

    @Test("export then import into another ledger keeps every record and the head", arguments: LedgerTarget.available)
    func exportImport(target: LedgerTarget) throws {
        let source = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        #expect(try workspace.run(["ledger", "append", "report.json", "report.json", "--ledger", source.url])
            .exitCode == 0)
        let export = try workspace.run(["ledger", "export", "-o", "ledger.jsonl", "--ledger", source.url])
        #expect(export.exitCode == 0, "\(export)")
        // Into the other backend when there is one: the chain does not depend on the database.
        let other: LedgerTarget = LedgerTarget.available.contains(.postgres) && target == .sqlite ? .postgres : .sqlite
        let target = try LedgerDatabase(other)
        let imported = try workspace.run(["ledger", "import", "ledger.jsonl", "--ledger", target.url])
        #expect(imported.exitCode == 0, "\(imported)")
        #expect(imported.stdout.contains("imported 2 records"))
        let before = try workspace.run(["ledger", "verify", "--ledger", source.url]).stdout
        let after = try workspace.run(["ledger", "verify", "--ledger", target.url]).stdout
        #expect(before == after)
        #expect(after.contains("head: "))
        // The same export again does not continue the chain: refused, nothing stored.
        let again = try workspace.run(["ledger", "import", "ledger.jsonl", "--ledger", target.url])
        #expect(again.exitCode == 2, "\(again)")
        #expect(again.stderr.contains("do not continue"), "\(again)")
        #expect(try workspace.run(["ledger", "verify", "--ledger", target.url]).stdout == before)
    }

    @Test("8 writers at once: every acknowledged record present, one unbroken chain", arguments: LedgerTarget.available)
    func concurrentWriters(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        // Create the schema first so the writers race on appends, not on set-up.
        #expect(try workspace.run(["ledger", "append", "report.json", "--ledger", ledger.url]).exitCode == 0)
        let writers = 8
        let perWriter = LedgerFixture.recordsPerWriter
        let command = ["ledger", "append", "report.json", "--repeat", String(perWriter), "--ledger", ledger.url]
        let results = LedgerFixture.runConcurrently(Array(repeating: command, count: writers), in: workspace)
        var acknowledged: [String] = []
        for result in results {
            let output = try result.get()
            #expect(output.exitCode == 0, "\(output)")
            acknowledged += output.stdout.split(separator: "\n").map(String.init)
        }
        #expect(acknowledged.count == writers * perWriter)
        let check = try workspace.run(["ledger", "verify", "--ledger", ledger.url])
        #expect(check.exitCode == 0, "\(check)")
        #expect(check.stdout.contains("chain intact: \(writers * perWriter + 1) records"), "\(check)")
        let export = try workspace.run(["ledger", "export", "--ledger", ledger.url])
        let stored = Set(export.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let sequence = object["sequence"] as? Int, let hash = object["hash"] as? String
            else { return nil }
            return "recorded \(sequence) \(hash)"
        })
        #expect(Set(acknowledged).isSubset(of: stored))
    }

    /// Writers that start together on a ledger nobody has made yet all create it; on SQLite two of them switching the
    /// new file to WAL at once deadlocked, and one failed with "database is locked" (5 of 560 writers in such rounds
    /// before the fix), so the rounds are many and short.
    @Test("4 writers creating a new ledger at once: every one records, one chain", arguments: LedgerTarget.available)
    func concurrentCreators(target: LedgerTarget) throws {
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        let rounds = target == .sqlite ? 30 : 5
        for _ in 0..<rounds {
            let ledger = try LedgerDatabase(target)
            let command = ["ledger", "append", "report.json", "--repeat", "2", "--ledger", ledger.url]
            for result in LedgerFixture.runConcurrently(Array(repeating: command, count: 4), in: workspace) {
                let output = try result.get()
                #expect(output.exitCode == 0, "\(output)")
            }
            let check = try workspace.run(["ledger", "verify", "--ledger", ledger.url])
            #expect(check.stdout.contains("chain intact: 8 records"), "\(check)")
        }
    }

    @Test("a writer killed mid-append loses at most its unacknowledged record; the chain holds",
        arguments: LedgerTarget.available)
    func killedWriter(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        let writer = try LedgerFixture.KilledWriter(
            ["ledger", "append", "report.json", "--repeat", "100000", "--ledger", ledger.url], in: workspace)
        let acknowledged = writer.acknowledged
        #expect(writer.reason == .uncaughtSignal)
        let check = try workspace.run(["ledger", "verify", "--ledger", ledger.url])
        #expect(check.exitCode == 0, "\(check)")
        let count = try #require(check.stdout.split(separator: "\n").first.flatMap { line in
            Int(line.replacingOccurrences(of: "chain intact: ", with: "")
                .replacingOccurrences(of: " records", with: ""))
        })
        #expect(count >= acknowledged.count && count <= acknowledged.count + 1, "\(count) vs \(acknowledged.count)")
        // The ledger takes appends again at once.
        #expect(try workspace.run(["ledger", "append", "report.json", "--ledger", ledger.url]).exitCode == 0)
        #expect(try workspace.run(["ledger", "verify", "--ledger", ledger.url]).exitCode == 0)
    }

    @Test("ledger append --batch: whole transactions only, even from a writer killed mid-batch, beside other writers",
        arguments: LedgerTarget.available)
    func batchedWriters(target: LedgerTarget) throws {
        let ledger = try LedgerDatabase(target)
        let workspace = try LedgerFixture.signedModel()
        try LedgerFixture.jsonReport(in: workspace)
        let batch = 10
        let refused = try workspace.run(["ledger", "append", "report.json", "--batch", "0", "--ledger", ledger.url])
        #expect(refused.exitCode != 0 && refused.stderr.contains("--batch must be at least 1"), "\(refused)")
        // Three writers of 7 batches (the last of each a short one: 65 = 6 × 10 + 5) and one that is killed.
        let command = ["ledger", "append", "report.json", "--repeat", "65", "--batch", String(batch), "--ledger",
            ledger.url]
        let victim = try LedgerFixture.KilledWriter(
            ["ledger", "append", "report.json", "--repeat", "100000", "--batch", String(batch), "--ledger",
                ledger.url],
            in: workspace
        ) {
            LedgerFixture.runConcurrently(Array(repeating: command, count: 3), in: workspace)
        }
        let results = victim.alongside
        let victimAcks = victim.acknowledged
        #expect(victim.reason == .uncaughtSignal)
        var acknowledged = victimAcks.map(String.init)
        for result in results {
            let output = try result.get()
            #expect(output.exitCode == 0, "\(output)")
            acknowledged += output.stdout.split(separator: "\n").map(String.init)
        }
        // A batch is acknowledged whole or not at all.
        #expect(victimAcks.count % batch == 0, "\(victimAcks.count)")
        let check = try workspace.run(["ledger", "verify", "--ledger", ledger.url])
        #expect(check.exitCode == 0, "\(check)")
        let export = try workspace.run(["ledger", "export", "--ledger", ledger.url])
        var stored: [(sequence: Int, hash: String, recordedAt: String)] = []
        for line in export.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let content = try #require(object["content"] as? String)
            let decision = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
            stored.append((try #require(object["sequence"] as? Int), try #require(object["hash"] as? String),
                try #require(decision["recordedAt"] as? String)))
        }
        #expect(Set(acknowledged).isSubset(of: Set(stored.map { "recorded \($0.sequence) \($0.hash)" })))
        // The killed writer lost at most the batch it had not been told was stored; nothing else is there.
        #expect(stored.count >= 3 * 65 + victimAcks.count && stored.count <= 3 * 65 + victimAcks.count + batch,
            "\(stored.count) stored, \(acknowledged.count) acknowledged")
        // Each transaction's records are consecutive in the chain: a batch is never interleaved with another's.
        var runs: [Int] = []
        for (index, record) in stored.enumerated() {
            if index > 0, stored[index - 1].recordedAt == record.recordedAt { runs[runs.count - 1] += 1 } else {
                runs.append(1)
            }
        }
        #expect(runs.allSatisfy { $0 % 5 == 0 }, "\(runs)")
    }

    @Test("a read-only ledger → exit 2 naming the unrecorded decision; the report still printed")
    func readOnlyLedger() throws {
        let workspace = try LedgerFixture.signedModel()
        try FileManager.default.createDirectory(atPath: workspace.path("ro"), withIntermediateDirectories: true)
        let url = "sqlite:ro/ledger.db"
        let at = ["--at", "2026-06-01T00:00:00Z"]
        let plain = try workspace.run(["verify", "env.json", "--trust", "trust"] + at)
        #expect(try workspace.run(["verify", "env.json", "--trust", "trust", "--ledger", url] + at).exitCode
            == plain.exitCode)
        for file in ["ro/ledger.db", "ro/ledger.db-wal", "ro/ledger.db-shm"] {
            try? FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: workspace.path(file))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: workspace.path("ro"))
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: workspace.path("ro")) }
        // Root writes through file modes: run as nobody then, as an unprivileged CI user would.
        let result = try LedgerFixture.runUnprivileged(
            ["verify", "env.json", "--trust", "trust", "--ledger", url] + at, in: workspace)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("was not recorded"), "\(result)")
        #expect(result.stderr.contains("exit \(plain.exitCode)"), "\(result)")
        #expect(result.stdout == plain.stdout)
    }

    @Test("a full disk (file-size limit) → exit 2 naming the unrecorded decision")
    func fullDisk() throws {
        let workspace = try LedgerFixture.signedModel()
        let binary = try #require(AuditBinary.path)
        // `ulimit -f 4`: 4 KiB, less than a new ledger needs; SIGXFSZ ignored so write(2) fails with EFBIG.
        let result = try LedgerFixture.runShell(
            "trap '' XFSZ; ulimit -f 4; exec \"$0\" verify env.json --trust trust --ledger sqlite:full.db", binary,
            in: workspace)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("was not recorded"), "\(result)")
        #expect(result.stderr.contains("cannot write full.db"), "\(result)")
    }

    @Test("a ledger that cannot be opened is a clear error, exit 2, and no password is ever printed")
    func unreachableLedgers() throws {
        let workspace = try LedgerFixture.signedModel()
        let missing = try workspace.run(
            ["verify", "env.json", "--trust", "trust", "--ledger", "sqlite:no/such/dir/x.db"])
        #expect(missing.exitCode == 2, "\(missing)")
        #expect(missing.stderr.contains("was not recorded"), "\(missing)")
        let bad = try workspace.run(["verify", "env.json", "--trust", "trust", "--ledger", "mysql://root:hunter2@db/x"])
        #expect(bad.exitCode == 2, "\(bad)")
        #expect(!bad.stderr.contains("hunter2") && !bad.stdout.contains("hunter2"), "\(bad)")
        // Nothing listens on port 1: the connection fails, and the message names the server, not the password.
        let refused = try workspace.run(["ledger", "verify", "--ledger",
            "postgres://auditor:hunter2@127.0.0.1:1/ledger?sslmode=disable"])
        #expect(refused.exitCode == 2, "\(refused)")
        if !refused.stderr.contains("without PostgreSQL support") {
            #expect(refused.stderr.contains("postgres://auditor:***@127.0.0.1:1/ledger"), "\(refused)")
        }
        #expect(!refused.stderr.contains("hunter2") && !refused.stdout.contains("hunter2"), "\(refused)")
        let noLedger = try workspace.run(["ledger", "verify"])
        #expect(noLedger.exitCode != 0 && noLedger.stderr.contains("no ledger"), "\(noLedger)")
        let readerMissing = try workspace.run(["ledger", "verify", "--ledger", "sqlite:absent.db"])
        #expect(readerMissing.exitCode == 2, "\(readerMissing)")
        #expect(readerMissing.stderr.contains("no ledger at absent.db"), "\(readerMissing)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("absent.db")))
    }

    @Test("a wrong PostgreSQL password is refused without printing it",
        .enabled(if: LedgerTarget.available.contains(.postgres), "needs AUDIT_TEST_POSTGRES_URL"))
    func wrongPostgresPassword() throws {
        let workspace = try LedgerFixture.signedModel()
        let base = try #require(LedgerTarget.postgresURL)
        var components = try #require(URLComponents(string: base))
        components.password = "not-the-password-4711"
        let result = try workspace.run(["ledger", "verify", "--ledger", try #require(components.string)])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("password authentication failed"), "\(result)")
        #expect(!result.stderr.contains("4711") && !result.stdout.contains("4711"), "\(result)")
        let real = try #require(components.password)
        #expect(!result.stderr.contains(real))
    }

    @Test("a TLS connection: verify-full with the server's CA records; no TLS, or a CA not given, is refused",
        .enabled(if: ProcessInfo.processInfo.environment["AUDIT_TEST_POSTGRES_TLS_URL"] != nil,
            "needs AUDIT_TEST_POSTGRES_TLS_URL (scripts/with-postgres.sh)"))
    func postgresOverTLS() throws {
        let environment = ProcessInfo.processInfo.environment
        let base = try #require(environment["AUDIT_TEST_POSTGRES_TLS_URL"])
        let authority = try #require(environment["AUDIT_TEST_POSTGRES_CA"])
        // The server lets this role in over TLS only, so a record written through it travelled encrypted.
        let database = "ledger_tls_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try #require(LedgerTarget.postgresURL)
        try LedgerFixture.psql(admin, "CREATE DATABASE \(database)")
        defer { try? LedgerFixture.psql(admin, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        var components = try #require(URLComponents(string: base))
        components.path = "/" + database
        let located = try #require(components.string)
        let workspace = try LedgerFixture.signedModel()
        let verified = "\(located)?sslmode=verify-full&sslrootcert=\(authority)"
        let recorded = try workspace.run(["verify", "env.json", "--trust", "trust", "--ledger", verified])
        #expect([0, 1].contains(recorded.exitCode), "\(recorded)")
        let check = try workspace.run(["ledger", "verify", "--ledger", verified])
        #expect(check.exitCode == 0 && check.stdout.contains("chain intact: 1 record"), "\(check)")
        let required = try workspace.run(["ledger", "verify", "--ledger", "\(located)?sslmode=require"])
        #expect(required.exitCode == 0, "\(required)")

        let plain = try workspace.run(["ledger", "verify", "--ledger", "\(located)?sslmode=disable"])
        #expect(plain.exitCode == 2, "\(plain)")
        #expect(plain.stderr.contains("no encryption"), "\(plain)")
        // verify-full against the system's CAs: the throwaway CA is not among them, so the server is not trusted.
        let untrusted = try workspace.run(["ledger", "verify", "--ledger", "\(located)?sslmode=verify-full"])
        #expect(untrusted.exitCode == 2, "\(untrusted)")
        #expect(!untrusted.stderr.contains(components.password ?? "\u{0}"), "\(untrusted)")
    }

    @Test("signed records: ledger verify --key accepts the ledger key and rejects another")
    func signedLedger() throws {
        let workspace = try LedgerFixture.signedModel()
        try workspace.keygen("ledger")
        try workspace.keygen("other")
        let recorded = try workspace.run(["verify", "env.json", "--trust", "trust", "--ledger", "sqlite:signed.db",
            "--ledger-key", "ledger.key"])
        #expect([0, 1].contains(recorded.exitCode), "\(recorded)")
        let good = try workspace.run(["ledger", "verify", "--key", "ledger.pub", "--ledger", "sqlite:signed.db"])
        #expect(good.exitCode == 0 && good.stdout.contains("all signed by a ledger key"), "\(good)")
        let bad = try workspace.run(["ledger", "verify", "--key", "other.pub", "--ledger", "sqlite:signed.db"])
        #expect(bad.exitCode == 1 && bad.stdout.contains("signature does not verify"), "\(bad)")
    }

    @Test("the auditor's Python check in docs/ledger.md accepts a ledger and finds an edit")
    func documentedAuditorCheck() throws {
        let docs = try String(contentsOf: AuditBinary.packageRoot.appendingPathComponent("docs/ledger.md"),
            encoding: .utf8)
        let start = try #require(docs.range(of: "```python\n"))
        let end = try #require(docs.range(of: "```", range: start.upperBound..<docs.endIndex))
        let script = String(docs[start.upperBound..<end.lowerBound])
        let workspace = try LedgerFixture.signedModel()
        try workspace.write("check_ledger.py", script)
        try LedgerFixture.jsonReport(in: workspace)
        #expect(try workspace.run(["ledger", "append", "report.json", "report.json", "report.json", "--ledger",
            "sqlite:audit.db"]).exitCode == 0)
        let good = try LedgerFixture.runShell("exec python3 check_ledger.py audit.db", "", in: workspace)
        #expect(good.exitCode == 0, "\(good)")
        #expect(good.stdout.contains("3 records, chain intact"), "\(good)")
        try LedgerFixture.runShell(
            "sqlite3 audit.db \"UPDATE ledger_records SET content = replace(content, 'append', 'apend') "
                + "WHERE sequence = 3\"", "", in: workspace)
        let bad = try LedgerFixture.runShell("exec python3 check_ledger.py audit.db", "", in: workspace)
        #expect(bad.exitCode == 1, "\(bad)")
        #expect(bad.stdout.contains("record 3"), "\(bad)")
    }
}

/// The backends the end-to-end ledger tests run on.
enum LedgerTarget: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresURL: String? = {
        guard let url = ProcessInfo.processInfo.environment["AUDIT_TEST_POSTGRES_URL"], !url.isEmpty else {
            let warning = "*** PostgreSQL ledger end-to-end tests SKIPPED: AUDIT_TEST_POSTGRES_URL is not set "
                + "(run scripts/with-postgres.sh swift test) ***\n"
            FileHandle.standardError.write(Data(warning.utf8))
            return nil
        }
        return url
    }()

    static var available: [LedgerTarget] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A fresh ledger for one test: a SQLite file, or a PostgreSQL database created for it and dropped afterwards.
final class LedgerDatabase {
    let url: String
    private let directory: URL
    private let databaseName: String?

    init(_ target: LedgerTarget) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch target {
        case .sqlite:
            databaseName = nil
            url = "sqlite:" + directory.appendingPathComponent("ledger.db").path
        case .postgres:
            let base = try #require(LedgerTarget.postgresURL)
            let name = "ledger_e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try LedgerFixture.psql(base, "CREATE DATABASE \(name)")
            databaseName = name
            var components = try #require(URLComponents(string: base))
            components.path = "/" + name
            url = try #require(components.string)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
        if let databaseName, let base = LedgerTarget.postgresURL {
            try? LedgerFixture.psql(base, "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        }
    }

    func tamper(_ sql: String) throws {
        if databaseName == nil {
            try LedgerFixture.tool(["sqlite3", String(url.dropFirst("sqlite:".count)), sql])
        } else {
            try LedgerFixture.psql(url, sql)
        }
    }
}

enum LedgerFixture {
    /// Records each concurrent writer appends: `LEDGER_TEST_RECORDS_PER_WRITER`, default 100 so `make test` stays
    /// quick on two cores; `make bench-ledger` runs the full 8 × 500.
    static let recordsPerWriter = Int(ProcessInfo.processInfo.environment["LEDGER_TEST_RECORDS_PER_WRITER"] ?? "")
        ?? 100

    /// A workspace with a trust store `trust/` and `env.json` signed by its key `dev`.
    static func signedModel() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.keygen("dev")
        try workspace.makeTrustStore([(name: "dev", extra: "")])
        try workspace.sign("dev")
        return workspace
    }

    /// `report.json`: the JSON report of verifying `env.json`.
    static func jsonReport(in workspace: Workspace) throws {
        let result = try workspace.run(["verify", "env.json", "--trust", "trust", "--format", "json", "-o",
            "report.json"])
        #expect([0, 1].contains(result.exitCode), "\(result)")
    }

    static func psql(_ url: String, _ sql: String) throws {
        try tool(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
    }

    @discardableResult
    static func tool(_ arguments: [String]) throws -> String {
        let result = try run("/usr/bin/env", arguments, in: nil)
        guard result.exitCode == 0 else { throw ToolFailure(description: "\(arguments[0]) failed: \(result)") }
        return result.stdout
    }

    struct ToolFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `script` with bash (`$0` = `zero`) in the workspace.
    @discardableResult
    static func runShell(_ script: String, _ zero: String, in workspace: Workspace) throws -> AuditBinary.Result {
        try run("/bin/bash", ["-c", script] + (zero.isEmpty ? [] : [zero]), in: workspace.url)
    }

    /// Runs `audit` as the `nobody` account when this process is root, so file modes apply.
    static func runUnprivileged(_ arguments: [String], in workspace: Workspace) throws -> AuditBinary.Result {
        let binary = try #require(AuditBinary.path)
        if geteuid() != 0 { return try AuditBinary.run(arguments, in: workspace.url) }
        return try run("/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--", binary] + arguments, in: workspace.url)
    }

    static func run(_ executable: String, _ arguments: [String], in directory: URL?) throws -> AuditBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return AuditBinary.Result(exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }

    /// An `audit` writer killed with SIGKILL in the middle of an append, once it has acknowledged a few dozen
    /// records; `alongside` is what ran meanwhile (started after the writer, finished before the kill).
    struct KilledWriter<Alongside> {
        let acknowledged: [Substring]
        let reason: Process.TerminationReason
        let alongside: Alongside

        init(_ arguments: [String], in workspace: Workspace, alongside work: () -> Alongside) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(AuditBinary.path))
            process.arguments = arguments
            process.currentDirectoryURL = workspace.url
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            alongside = work()
            var received = Data()
            let reader = out.fileHandleForReading
            while received.split(separator: UInt8(ascii: "\n")).count < 40 {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                received.append(chunk)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            received.append(reader.readDataToEndOfFile())
            acknowledged = String(decoding: received, as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("recorded ") && $0.split(separator: " ").count == 3 }
            reason = process.terminationReason
        }
    }

    /// Runs the commands as simultaneous `audit` processes, one thread each.
    static func runConcurrently(
        _ commands: [[String]], in workspace: Workspace
    ) -> [Result<AuditBinary.Result, Error>] {
        let slots = Slots(count: commands.count)
        let group = DispatchGroup()
        let directory = workspace.url
        for (index, arguments) in commands.enumerated() {
            group.enter()
            Thread {
                slots.set(index, Result { try AuditBinary.run(arguments, in: directory) })
                group.leave()
            }.start()
        }
        group.wait()
        return slots.values
    }

    private final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result<AuditBinary.Result, Error>?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ result: Result<AuditBinary.Result, Error>) { lock.withLock { slots[index] = result } }

        var values: [Result<AuditBinary.Result, Error>] {
            lock.withLock { slots.map { $0 ?? .failure(CocoaError(.featureUnsupported)) } }
        }
    }
}

extension LedgerFixture.KilledWriter where Alongside == Void {
    /// A writer killed mid-append with nothing else running.
    init(_ arguments: [String], in workspace: Workspace) throws {
        try self.init(arguments, in: workspace) {}
    }
}
