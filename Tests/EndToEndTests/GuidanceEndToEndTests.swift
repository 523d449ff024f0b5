import Foundation
import Testing

/// Messages that say what to do next: each names the file and the command or flag that fixes it.
@Suite("messages that say what to do next")
struct GuidanceEndToEndTests {
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.keygen("stranger")
        try ws.makeTrustStore([("dev", "")])
        return ws
    }

    @Test("verify on a manifest that is not signed yet gives the audit sign command", arguments: ["json", "yaml"])
    func unsignedManifest(format: String) throws {
        let ws = try Self.setUp()
        let source = AuditBinary.packageRoot.appendingPathComponent("docs/examples/manifest.\(format)")
        try ws.write("draft.\(format)", bytes: try Data(contentsOf: source))
        let result = try ws.run(["verify", "draft.\(format)", "--trust", "trust"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error: draft.\(format) is a manifest that is not signed yet"))
        #expect(result.stderr.contains("audit sign draft.\(format) --key KEY"), "\(result)")
    }

    @Test("a missing trust store mentions --trust and audit trust init")
    func missingTrustStore() throws {
        let ws = try Self.setUp()
        try ws.sign("dev")
        let result = try ws.run(["verify", "env.json"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("--trust DIR"), "\(result)")
        #expect(result.stderr.contains("audit trust init --trust keys"), "\(result)")
    }

    @Test("a signature by an unknown key names the key the envelope claims")
    func unknownKeyNamed() throws {
        let ws = try Self.setUp()
        let stranger = try ws.keygen("stranger2")
        try ws.sign("stranger2")
        let result = try ws.run(["verify", "env.json", "--trust", "trust", "--format", "json"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("names key \(stranger), which is not in the trust store"), "\(result)")
    }

    @Test("a wrong passphrase is one line")
    func wrongPassphrase() throws {
        let ws = try Self.setUp()
        let made = try ws.run(
            ["keygen", "--out", "locked", "--passphrase-env", "PASS"], environment: ["PASS": "correct horse"])
        #expect(made.exitCode == 0, "\(made)")
        try ws.write("payload.json", Workspace.exampleManifest)
        let result = try ws.run(
            ["sign", "payload.json", "--key", "locked.key", "--passphrase-env", "PASS", "-o", "x.json"],
            environment: ["PASS": "battery staple"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr == "audit: error: locked.key: cannot decrypt the private key: wrong passphrase\n")
    }

    @Test("usage errors start with audit: error: and exit 64", arguments: [
        ["verify"], ["verify", "env.json", "--bogus"], ["verify", "env.json", "--threshold", "0"], ["frobnicate"],
        ["custody", "append", "m.json", "--action", "quantized", "--actor", "Q", "--actor-country", "DE", "--key", "k"],
    ])
    func usageErrors(arguments: [String]) throws {
        let ws = try Self.setUp()
        let result = try ws.run(arguments)
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error: "), "\(result)")
        #expect(result.stderr.contains("Usage: audit"), "\(result)")
    }

    @Test("policy check warns about waivers that have already expired")
    func expiredWaivers() throws {
        let policy = AuditBinary.packageRoot.appendingPathComponent("policies/enterprise-default.yaml").path
        let before = try AuditBinary.run(["policy", "check", policy, "--at", "2026-06-01T00:00:00Z"])
        #expect(before.exitCode == 0, "\(before)")
        #expect(!before.stdout.contains("warning:"), "\(before)")
        let after = try AuditBinary.run(["policy", "check", policy, "--at", "2026-12-01T00:00:00Z"])
        #expect(after.exitCode == 0, "\(after)")
        #expect(after.stdout.contains("warning: /waivers/1: the waiver of ENT-RET-MAX"), "\(after)")
        #expect(after.stdout.contains("expired on 2026-09-30"), "\(after)")
    }
    @Test("audit policy test's help examples run as shown from the repository root, and pass")
    func policyTestHelpExamples() throws {
        let help = try AuditBinary.run(["policy", "test", "--help"], environment: ["COLUMNS": "1000"])
        let examples = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("audit policy test ") }
        #expect(examples.count == 2, "\(help)")
        let ws = try Workspace()
        for folder in ["Tests/Fixtures/policy", "policies"] {
            let target = ws.url.appendingPathComponent(folder)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: AuditBinary.packageRoot.appendingPathComponent(folder), to: target)
        }
        for example in examples {
            let arguments = example.split(separator: " ").dropFirst().map(String.init)
            let result = try ws.run(arguments)
            #expect(result.exitCode == 0, "\(example)\n\(result)")
            #expect(result.stdout.contains("passed, 0 failed"), "\(example)\n\(result)")
        }
    }

    @Test("a syntax error in a policy or a manifest names the file", arguments: [
        ["verify", "env.json", "--trust", "trust", "--policy", "broken.yaml"], ["policy", "check", "broken.yaml"],
        ["verify", "env.json", "--trust", "trust", "--policy", "broken.json"], ["policy", "check", "broken.json"],
        ["sign", "broken.yaml", "--key", "dev.key", "-o", "out.json"],
        ["sign", "broken.json", "--key", "dev.key", "-o", "out.json"],
    ])
    func syntaxErrorNamesFile(arguments: [String]) throws {
        let ws = try Self.setUp()
        try ws.sign("dev")
        try ws.write("broken.yaml", "version: 1\nname: [unclosed\nrules: []\n")
        try ws.write("broken.json", "{\"version\": 1, \"name\": \"p\", \"rules\": [}")
        let file = try #require(arguments.first { $0.hasPrefix("broken.") })
        let result = try ws.run(arguments)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error: "), "\(result)")
        #expect(result.stderr.contains("\(file): "), "\(result)")
    }

    @Test("an X.509 certificate or a private key where a public key is expected says what to give instead")
    func certificateWhereKeyExpected() throws {
        let ws = try Self.setUp()
        try ws.sign("dev")
        let leaf = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures/pki/leaf.pem")
        try ws.write("leaf.pem", bytes: try Data(contentsOf: leaf))
        let certificate = try ws.run(["verify", "env.json", "--key", "leaf.pem"])
        #expect(certificate.exitCode == 2, "\(certificate)")
        #expect(certificate.stderr.hasPrefix("audit: error: --key leaf.pem is an X.509 certificate"), "\(certificate)")
        #expect(certificate.stderr.contains("--ca-roots"), "\(certificate)")
        #expect(certificate.stderr.contains("openssl x509 -in leaf.pem -pubkey -noout"), "\(certificate)")

        let privateKey = try ws.run(["verify", "env.json", "--key", "dev.key"])
        #expect(privateKey.exitCode == 2, "\(privateKey)")
        #expect(privateKey.stderr.hasPrefix("audit: error: --key dev.key holds a private key"), "\(privateKey)")
    }

    @Test("a file that is not a valid envelope is named in the error", arguments: [
        "[1, 2", #"{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AA==","extra":1}]}"#,
    ])
    func malformedEnvelopeNamesFile(content: String) throws {
        let ws = try Self.setUp()
        try ws.write("odd.json", content)
        let result = try ws.run(["verify", "odd.json", "--trust", "trust"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error: odd.json: "), "\(result)")
    }
}
