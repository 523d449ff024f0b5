import AuditCrypto
import Foundation
import ModelAudit
import Testing

/// A signed manifest written by an attacker, through every human output of the real binary: no string from it, the
/// trust store or the policy may send a terminal sequence, start a CI workflow command or become a link.
///
/// The manifest is validly signed by a trusted key, so every value reaches the renderers: the model name and version,
/// developer and publisher, data-flow purposes and recipients, a parent's name, the artifact file names; the trust
/// store's owner and the policy's name, titles and remediation carry attacks too.
@Suite("Output injection: audit verify, show, lineage")
struct OutputInjectionEndToEndTests {
    static let at = "2026-06-01T00:00:00Z"

    /// Attacks on a terminal (title, screen, overwritten line, reordered text) and on a GitHub Actions log.
    enum Attack {
        static let command = "\n::error::pwned"
        static let title = "\u{1B}]0;title\u{07}"
        static let clear = "\u{1B}[2J"
        static let verdict = "\r✔ compliant"
        static let override = "\u{202E}"
        static let mask = "\r\n::add-mask::secret"
        static let stop = "\n  ::stop-commands::token"
        static let legacy = "##[error]legacy"
        static let link = "see https://evil.example/login or www.evil.example"
    }

    /// Characters that must never reach stdout or stderr as themselves.
    static let forbidden: [Unicode.Scalar] = [
        "\u{1B}", "\u{07}", "\r", "\u{0}", "\u{7F}", "\u{9B}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}",
        "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}", "\u{2028}",
        "\u{2029}", "\u{200B}",
    ]

    /// A workspace with a trusted key `dev` (its owner's name an attack), `model.json` (the hostile manifest signed
    /// by `dev`) and `policy.json` (a policy whose texts are attacks).
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try FileManager.default.createDirectory(
            at: ws.url.appendingPathComponent("trust"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ws.path("dev.pub"), toPath: ws.path("trust/dev.pub"))
        let trust: [String: Any] = [
            "version": 1,
            "keys": [["file": "dev.pub", "owner": "Owner\(Attack.command)\(Attack.clear)", "roles": ["developer"]]],
        ]
        try ws.write("trust/trust.json", bytes: try JSONSerialization.data(withJSONObject: trust))
        try ws.write("manifest.json", bytes: try JSONSerialization.data(withJSONObject: try hostileManifest()))
        let signed = try ws.run(["sign", "manifest.json", "--key", "dev.key", "-o", "model.json"])
        #expect(signed.exitCode == 0, "\(signed)")
        try ws.write("policy.json", bytes: try JSONSerialization.data(withJSONObject: hostilePolicy()))
        return ws
    }

    /// The worked example with an attack in every string a renderer shows.
    static func hostileManifest() throws -> [String: Any] {
        let url = AuditBinary.packageRoot.appendingPathComponent("docs/examples/manifest.json")
        var statement = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let digest = String(repeating: "ab", count: 32)
        statement["subject"] = [
            "::error::file.bin", "##[warning]file.bin", "zero\u{200B}width\u{200F}.bin", "www.evil.example.bin",
        ].map { ["name": $0, "digest": ["sha256": digest]] }
        var predicate = try #require(statement["predicate"] as? [String: Any])
        var model = try #require(predicate["model"] as? [String: Any])
        model["name"] = "acme\(Attack.command)"
        model["version"] = "1.0\(Attack.title)"
        model["description"] = "\(Attack.clear)\(Attack.link)"
        predicate["model"] = model
        let developer: [String: Any] = [
            "name": "Acme\(Attack.verdict)", "legalName": "Evil\(Attack.override)gnp.exe Ltd", "country": "US",
            "independent": true,
        ]
        var origin = try #require(predicate["origin"] as? [String: Any])
        origin["developer"] = developer
        origin["publisher"] = ["name": Attack.legacy, "country": "US", "independent": true]
        predicate["origin"] = origin
        let recipient: [String: Any] = ["name": "Telemetry\(Attack.mask)", "country": "US", "independent": true]
        predicate["hosting"] = [
            "mode": "managed-service",
            "provider": ["name": "Host\(Attack.stop)", "country": "US", "independent": true],
            "service": "chat\(Attack.link)",
            "regions": [["name": "us-east\(Attack.override)", "country": "US"]],
            "governingJurisdictions": ["US"],
            "subProcessors": [
                ["entity": recipient, "purpose": "storage\(Attack.title)", "dataCategories": ["prompts"]]
            ],
            "dataFlows": [
                [
                    "category": "prompts", "recipient": recipient, "country": "US",
                    "purpose": "analytics\(Attack.command)\(Attack.verdict)",
                ]
            ],
        ]
        var lineage = try #require(predicate["lineage"] as? [String: Any])
        var parents = try #require(lineage["parents"] as? [[String: Any]])
        parents[0]["name"] = "parent\(Attack.stop)\(Attack.title)"
        parents[0]["developer"] = developer
        lineage["parents"] = parents
        predicate["lineage"] = lineage
        statement["predicate"] = predicate
        return statement
    }

    /// A policy with one rule that fails (an auditor must sign), its texts attacks.
    static func hostilePolicy() -> [String: Any] {
        [
            "version": 1,
            "name": "Policy\(Attack.command)",
            "mode": "enforce",
            "rules": [
                [
                    "id": "HOSTILE-1", "type": "signatures.required-roles",
                    "title": "Title\(Attack.verdict)\(Attack.clear)", "severity": "high", "roles": ["auditor"],
                    "controls": ["CTRL\(Attack.mask)"], "remediation": "Fix it\(Attack.command) \(Attack.link)",
                ]
            ],
        ]
    }

    /// Nothing on either stream acts on a terminal or a CI runner. `commands` are the workflow commands the tool
    /// itself may write (GitHub format); any other line starting with `::` came from input.
    static func expectInert(_ result: AuditBinary.Result, commands: [String] = [], _ context: String) {
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(result)")
        for (stream, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
            let raw = text.unicodeScalars.filter { forbidden.contains($0) }
            #expect(raw.isEmpty, "\(context): raw \(raw.map { String($0.value, radix: 16) }) on \(stream)\n\(result)")
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let start = line.drop(while: { $0.isWhitespace })
                if start.hasPrefix("::") {
                    #expect(
                        commands.contains { start.hasPrefix("::\($0) ") }, "\(context): \(stream) line \(line)")
                }
                #expect(!line.contains("##["), "\(context): \(stream) line \(line)")
            }
        }
    }

    @Test("audit verify in every human format shows the attacks as escapes and runs none")
    func verify() throws {
        let ws = try Self.setUp()
        let base = ["verify", "model.json", "--trust", "trust", "--at", Self.at]
        for extra in [[], ["--verbose"], ["--policy", "policy.json"], ["--policy", "policy.json", "--verbose"]] {
            let text = try ws.run(base + extra)
            #expect(text.exitCode == 0 || text.exitCode == 1, "\(text)")
            Self.expectInert(text, "verify \(extra)")
            #expect(text.stdout.contains("acme\\n::error::pwned"), "\(text)")
            // The only verdict lines are the tool's own, at the left margin.
            let fakes = text.stdout.split(separator: "\n")
                .filter { $0.hasPrefix("✔ compliant") && !$0.contains("model") }
            #expect(fakes.isEmpty, "\(text)")
        }
        let github = try ws.run(base + ["--policy", "policy.json", "--format", "github"])
        Self.expectInert(github, commands: ["error", "warning", "notice"], "verify --format github")
        let commands = github.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }
        #expect(!commands.isEmpty, "\(github)")
        for command in commands {
            // One annotation per line: its properties end at the first `::` after the command name.
            let properties = command.dropFirst(2).prefix { $0 != ":" }
            #expect(properties.hasPrefix("error file=") || properties.hasPrefix("warning file=")
                || properties.hasPrefix("notice file="), "\(command)")
            #expect(command.contains("%0A::error::pwned") || !command.contains("pwned"), "\(command)")
        }

        let markdown = try ws.run(base + ["--policy", "policy.json", "--format", "markdown"])
        Self.expectInert(markdown, "verify --format markdown")
        #expect(markdown.stdout.contains("evil.example"), "\(markdown)")
        #expect(!markdown.stdout.contains("://evil.example"), "\(markdown)")
        #expect(markdown.stdout.range(of: "www.evil", options: .caseInsensitive) == nil, "\(markdown)")
        #expect(markdown.stdout.contains("https\\[:\\]//evil.example"), "\(markdown)")

        for format in ["junit", "html", "sarif", "json"] {
            let result = try ws.run(base + ["--policy", "policy.json", "--format", format])
            Self.expectInert(result, "verify --format \(format)")
        }
    }

    @Test("audit show prints the hostile manifest with every attack escaped")
    func show() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["show", "model.json", "--trust", "trust"])
        #expect(result.exitCode == 0, "\(result)")
        Self.expectInert(result, "show")
        for shown in [
            "acme\\n::error::pwned", "\\u{1B}]0;title\\u{07}", "\\u{1B}[2J", "analytics\\n::error::pwned\\r✔ compliant",
            "Evil\\u{202E}gnp.exe", "##\\u{5B}error]legacy", "(Owner\\n::error::pwned\\u{1B}[2J)",
            "Telemetry\\r\\n::add-mask::secret", "zero\\u{200B}width\\u{200F}.bin",
        ] {
            #expect(result.stdout.contains(shown), "show lacks \(shown): \(result)")
        }
        let json = try ws.run(["show", "model.json", "--format", "json"])
        Self.expectInert(json, "show --format json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let predicate = object?["predicate"] as? [String: Any]
        // JSON keeps the value exactly; only its spelling is escaped.
        #expect((predicate?["model"] as? [String: Any])?["name"] as? String == "acme\(Attack.command)")
    }

    @Test("audit lineage in text, dot and mermaid runs no attack", arguments: ["text", "dot", "mermaid", "json"])
    func lineage(format: String) throws {
        let ws = try Self.setUp()
        try FileManager.default.createDirectory(
            at: ws.url.appendingPathComponent("store"), withIntermediateDirectories: true)
        let result = try ws.run(
            ["lineage", "model.json", "--trust", "trust", "--store", "store", "--at", Self.at, "--format", format])
        #expect(result.exitCode == 1, "\(result)")
        Self.expectInert(result, "lineage --format \(format)")
        #expect(result.stdout.contains("parent"), "\(result)")
        if format == "dot" {
            for line in result.stdout.split(separator: "\n") {
                #expect(line == "digraph lineage {" || line == "}" || line.hasPrefix("  "), "\(line)")
            }
        }
    }

    @Test("a manifest whose file name is an attack is refused, and the refusal quotes it escaped")
    func invalidManifest() throws {
        let ws = try Self.setUp()
        var statement = try Self.hostileManifest()
        let digest = ["sha256": String(repeating: "cd", count: 32)]
        statement["subject"] = [["name": "weights\(Attack.command)\(Attack.title)", "digest": digest]]
        let payload = try JSONSerialization.data(withJSONObject: statement)
        try ws.write("bad.json", bytes: payload)

        // audit sign validates the manifest first: its refusal on stderr quotes the name escaped.
        let sign = try ws.run(["sign", "bad.json", "--key", "dev.key", "-o", "bad.dsse.json"])
        #expect(sign.exitCode == 2, "\(sign)")
        #expect(sign.stderr.hasPrefix("audit: error:"), "\(sign)")
        Self.expectInert(sign, "sign")

        // Signed anyway (by hand), it reaches verify and show.
        let key = try PrivateKey(pem: Array(try ws.read("dev.key")))
        let envelope = try DSSEEnvelope.sign(
            payload: Array(payload), payloadType: DSSEEnvelope.inTotoPayloadType, keys: [(key, nil)])
        try ws.write("bad.dsse.json", bytes: Data(try envelope.encoded()))
        for extra in [[], ["--format", "github"], ["--format", "markdown"]] {
            let verify = try ws.run(["verify", "bad.dsse.json", "--trust", "trust", "--at", Self.at] + extra)
            #expect(verify.exitCode != 0, "\(verify)")
            Self.expectInert(verify, commands: ["error", "warning", "notice"], "verify bad \(extra)")
        }
        let show = try ws.run(["show", "bad.dsse.json", "--trust", "trust"])
        Self.expectInert(show, "show bad")
    }

    @Test("an error message that quotes a hostile member name is escaped on stderr")
    func errorMessages() throws {
        let ws = try Self.setUp()
        let member = "x\(Attack.command)\(Attack.clear)\(Attack.override)"
        var policy = Self.hostilePolicy()
        policy[member] = 1
        try ws.write("bad-policy.json", bytes: try JSONSerialization.data(withJSONObject: policy))
        let envelope: [String: Any] = ["payloadType": "a", "payload": "", "signatures": [Any](), member: 1]
        try ws.write("bad.dsse.json", bytes: try JSONSerialization.data(withJSONObject: envelope))
        for command in [
            ["policy", "check", "bad-policy.json"],
            ["verify", "model.json", "--trust", "trust", "--policy", "bad-policy.json"],
            ["verify", "bad.dsse.json", "--trust", "trust"], ["show", "bad.dsse.json"],
            ["lineage", "bad.dsse.json", "--trust", "trust"],
        ] {
            let result = try ws.run(command)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stderr.hasPrefix("audit: error:"), "\(result)")
            Self.expectInert(result, "\(command)")
        }
        let check = try ws.run(["policy", "check", "bad-policy.json"])
        #expect(check.stderr.contains("x\\n::error::pwned\\u{1B}[2J\\u{202E}"), "\(check)")
    }
}
