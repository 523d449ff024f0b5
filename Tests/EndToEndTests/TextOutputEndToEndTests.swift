import Foundation
import Testing

/// The text report through the real binary: width from `COLUMNS` or the terminal, colour from `--color`,
/// `NO_COLOR` and `TERM`, `--quiet` and `--compact`; SARIF's remediation and lines; `artifacts.required` in the
/// sample policies.
@Suite("text output, SARIF and unchecked files")
struct TextOutputEndToEndTests {
    static let at = SampleFleetEndToEndTests.at
    static let enterprise = "policies/enterprise-default.yaml"

    /// `audit report manifests` under the enterprise policy (files not checked), plus `extra`.
    static func fleet(_ extra: [String], environment: [String: String] = [:]) throws -> AuditBinary.Result {
        try AuditBinary.run(
            ["report", "manifests", "--trust", "keys", "--policy", enterprise, "--store", "manifests", "--at", at]
                + extra,
            in: AuditBinary.packageRoot, environment: environment)
    }

    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n")
    }

    /// Whether `line` fits `width`, or overflows only because one word is longer than a line can hold.
    static func fits(_ line: Substring, _ width: Int) -> Bool {
        line.count <= width || line.split(separator: " ").contains { $0.count > width / 3 }
    }

    /// Runs the binary on a pseudo-terminal (util-linux `script`), `columns` wide when given, with exactly
    /// `environment` (no `NO_COLOR` unless given). Line ends are the terminal's CR LF, returned as LF.
    static func onTerminal(
        _ arguments: [String], columns: Int? = nil, environment: [String: String]
    ) throws -> String {
        let binary = try #require(AuditBinary.path, "the audit binary was not found; run `swift build` first")
        let quoted = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = (columns.map { "stty cols \($0) rows 50; " } ?? "") + quoted.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        process.currentDirectoryURL = AuditBinary.packageRoot
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            .merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    static var hasScript: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/script") }

    @Test("COLUMNS sets the width the text report wraps to", arguments: [50, 80])
    func columnsWrap(width: Int) throws {
        let result = try Self.fleet([], environment: ["COLUMNS": "\(width)"])
        #expect(result.exitCode == 1, "\(result)")
        let lines = Self.lines(result.stdout)
        #expect(lines.count > 40)
        for line in lines { #expect(Self.fits(line, width), "\(line.count) > \(width): \(line)") }
        #expect(lines.contains { $0.count > width - 15 }, "the width is used, not a narrower one")
    }

    @Test("without COLUMNS, a pipe gets 100 columns and a terminal its own width (TIOCGWINSZ)",
        .enabled(if: hasScript))
    func terminalWidth() throws {
        let piped = try Self.fleet([])
        #expect(Self.lines(piped.stdout).allSatisfy { Self.fits($0, 100) })
        #expect(Self.lines(piped.stdout).contains { $0.count > 90 })
        let terminal = try Self.onTerminal(
            ["report", "manifests", "--trust", "keys", "--policy", Self.enterprise, "--store", "manifests", "--at",
                Self.at, "--color", "never"],
            columns: 64, environment: ["TERM": "xterm"])
        let lines = Self.lines(terminal)
        #expect(lines.count > 40, "\(terminal)")
        for line in lines { #expect(Self.fits(line, 64), "\(line.count) > 64: \(line)") }
    }

    @Test("--color auto: ANSI on a terminal, none with NO_COLOR (any value) or TERM=dumb", .enabled(if: hasScript))
    func colorAuto() throws {
        let arguments = [
            "report", "manifests", "--trust", "keys", "--policy", Self.enterprise, "--store", "manifests", "--at",
            Self.at, "--quiet",
        ]
        let coloured = try Self.onTerminal(arguments, environment: ["TERM": "xterm"])
        #expect(coloured.contains("\u{1B}[31m"), "\(coloured)")
        for environment in [["TERM": "xterm", "NO_COLOR": "1"], ["TERM": "xterm", "NO_COLOR": ""], ["TERM": "dumb"]] {
            let plain = try Self.onTerminal(arguments, environment: environment)
            #expect(plain.contains("non-compliant"), "\(environment): \(plain)")
            #expect(!plain.contains("\u{1B}["), "\(environment): \(plain)")
        }
        let never = try Self.onTerminal(arguments + ["--color", "never"], environment: ["TERM": "xterm"])
        #expect(!never.contains("\u{1B}["), "\(never)")
    }

    @Test("--color always emits ANSI even into a pipe with NO_COLOR set; never a report file")
    func colorAlways() throws {
        let ws = try Workspace()
        let result = try Self.fleet(
            ["--color", "always", "--format", "text", "--format", "text=\(ws.path("report.txt"))"],
            environment: ["NO_COLOR": "1"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("\u{1B}[31m✘\u{1B}[0m"), "\(result.stdout.prefix(400))")
        #expect(!String(decoding: try ws.read("report.txt"), as: UTF8.self).contains("\u{1B}"))
        let auto = try Self.fleet(["--quiet"], environment: ["NO_COLOR": "1"])
        #expect(!auto.stdout.contains("\u{1B}"))
        let bad = try Self.fleet(["--color", "sometimes"])
        #expect(bad.exitCode == 64, "\(bad)")
    }

    @Test("--quiet prints one line: the verdict, saying the files were not checked")
    func quiet() throws {
        let result = try Self.fleet(["--quiet"], environment: ["COLUMNS": "40"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(Self.lines(result.stdout).count == 1, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("✘ non-compliant: 13 models (0 compliant, 13 non-compliant)"), "\(result)")
        #expect(result.stdout.contains("model files not checked (no model directory given)"), "\(result)")
        let both = try Self.fleet(["--quiet", "--compact"])
        #expect(both.exitCode == 64, "\(both)")
        #expect(both.stderr.contains("give --quiet or --compact, not both"), "\(both)")
    }

    @Test("--compact prints one line per failing rule of each model, then the verdict line")
    func compact() throws {
        let json = try Self.fleet(["--format", "json"])
        let report = try JSONDecoder().decode(SampleFleetEndToEndTests.FleetReport.self, from: Data(json.stdout.utf8))
        let failing = report.models.reduce(0) { $0 + $1.rules(["fail", "error"]).count }
        let result = try Self.fleet(["--compact"], environment: ["COLUMNS": "40"])
        #expect(result.exitCode == 1, "\(result)")
        let lines = Self.lines(result.stdout)
        #expect(lines.count == failing + 1, "\(result.stdout)")
        #expect(lines.filter { $0.contains("· ENT-FILES-CHECKED (critical): ") }.count == 13, "\(result.stdout)")
        #expect(lines.last?.hasPrefix("✘ non-compliant: 13 models") == true)
    }

    @Test("the fleet text report puts the summary first and each compliant model on one line")
    func fleetLayout() throws {
        let ws = try SampleFleet.withModelFiles()
        let result = try AuditBinary.run(
            ["report", ws.path("manifests"), "--trust", "keys", "--policy", Self.enterprise, "--store",
                ws.path("manifests"), "--at", Self.at, "--model-dirs"],
            in: AuditBinary.packageRoot)
        #expect(result.exitCode == 1, "\(result)")
        let lines = Self.lines(result.stdout)
        let summary = try #require(lines.firstIndex { $0.hasPrefix("summary:") }, "\(result.stdout)")
        let firstModel = try #require(lines.firstIndex { $0.hasPrefix("✘ ") }, "\(result.stdout)")
        #expect(summary < firstModel)
        #expect(lines[summary] == "summary:   13 models: 8 compliant, 5 non-compliant")
        #expect(lines.filter { $0.hasPrefix("  ✔ ") }.count == 8, "\(result.stdout)")
        #expect(!result.stdout.contains("not checked"), "the files were checked: \(result.stdout)")
    }

    @Test("SARIF: every policy rule carries its remediation; results point at the payload's line")
    func sarif() throws {
        let ws = try Workspace()
        let result = try Self.fleet(["--format", "sarif=\(ws.path("fleet.sarif"))"])
        #expect(result.exitCode == 1, "\(result)")
        let log = try #require(try JSONSerialization.jsonObject(with: ws.read("fleet.sarif")) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let policyRules = rules.filter { ($0["id"] as? String)?.hasPrefix("ENT-") == true }
        #expect(policyRules.count >= 15, "every enterprise rule that ran")
        for rule in policyRules {
            let help = (rule["help"] as? [String: Any])?["text"] as? String ?? ""
            #expect(!help.hasPrefix("No remediation"), "\(rule["id"] ?? "?") lost its remediation")
        }
        let larkspur = try #require(policyRules.first { $0["id"] as? String == "ENT-SCREENING" })
        #expect(((larkspur["help"] as? [String: Any])?["text"] as? String)?.hasPrefix("Do not deploy") == true)
        let results = try #require(run["results"] as? [[String: Any]])
        let lines = results.compactMap { result -> Int? in
            let location = (result["locations"] as? [[String: Any]])?.first
            let region = (location?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]
            return region?["startLine"] as? Int
        }
        #expect(lines.count == results.count)
        // The samples are pretty-printed envelopes: the payload is on line 2, the signatures from line 4.
        #expect(lines.allSatisfy { $0 == 1 || $0 >= 2 }, "\(Set(lines))")
        let aboutStatement = results.filter { result in
            let location = (result["locations"] as? [[String: Any]])?.first
            let pointer = ((location?["logicalLocations"] as? [[String: Any]])?.first)?["fullyQualifiedName"]
            return (pointer as? String)?.hasPrefix("/predicate") == true
        }
        #expect(!aboutStatement.isEmpty)
        for result in aboutStatement {
            let location = (result["locations"] as? [[String: Any]])?.first
            let region = (location?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]
            #expect(region?["startLine"] as? Int == 2, "\(result)")
        }
    }

    @Test("artifacts.required fails a model verified without --model-dir, and passes with its files")
    func artifactsRequired() throws {
        let without = try AuditBinary.run(
            ["verify", "manifests/aldercrest-base-7b.json", "--trust", "keys", "--policy", Self.enterprise,
                "--store", "manifests", "--at", Self.at],
            in: AuditBinary.packageRoot, environment: ["COLUMNS": "200"])
        #expect(without.exitCode == 1, "\(without)")
        #expect(without.stdout.contains("✘ ENT-FILES-CHECKED (critical)"), "\(without)")
        #expect(without.stdout.contains("the model's files were not checked"), "\(without)")
        #expect(Self.lines(without.stdout).last?.contains("model files not checked") == true, "\(without)")
        let ws = try SampleFleet.withModelFiles()
        let with = try AuditBinary.run(
            ["verify", ws.path("manifests/aldercrest-base-7b.json"), "--trust", "keys", "--policy", Self.enterprise,
                "--store", ws.path("manifests"), "--at", Self.at, "--model-dir",
                ws.path("manifests/aldercrest-base-7b")],
            in: AuditBinary.packageRoot)
        #expect(with.exitCode == 0, "\(with)")
        #expect(!with.stdout.contains("not checked"), "\(with)")
    }

    @Test("report JSON carries formatVersion, streamed or not, for one model and a fleet")
    func formatVersion() throws {
        let ws = try Workspace()
        let streamed = try Self.fleet(["--format", "json"])
        let whole = try Self.fleet(["--format", "json", "--format", "text=\(ws.path("r.txt"))"])
        let single = try AuditBinary.run(
            ["verify", "manifests/aldercrest-base-7b.json", "--trust", "keys", "--store", "manifests", "--at",
                Self.at, "--format", "json"],
            in: AuditBinary.packageRoot)
        for result in [streamed, whole, single] {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
            #expect(object["formatVersion"] as? Int == 1, "\(result.stdout.prefix(200))")
        }
        #expect(streamed.stdout == whole.stdout)
    }
}
