import Foundation
import Testing

/// The signing round trip through the real binary: keygen → sign → verify, co-signing, thresholds, output.
@Suite("audit keygen/sign/verify/show")
struct SigningEndToEndTests {
    @Test("keygen → sign → verify passes for every algorithm", arguments: ["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa-3072"])
    func roundTrip(algorithm: String) throws {
        let ws = try Workspace()
        let keyID = try ws.keygen("dev", algorithm: algorithm)
        #expect(keyID.hasPrefix("sha256:") && keyID.count == 71)
        try ws.makeTrustStore([("dev", algorithm == "rsa-3072" ? ", \"scheme\": \"rsa-pss-sha256\"" : "")])
        try ws.sign("dev")
        let result = try ws.run(["verify", "env.json", "--trust", "trust"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("verified: 1 distinct trusted key"))
        #expect(result.stdout.contains(keyID))
    }

    @Test("one byte of the payload changed → exit 1, naming why")
    func tamperedPayload() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try ws.sign("dev")
        var envelope = try ws.envelope()
        let payloadText = try #require(envelope["payload"] as? String)
        var payload = try #require(Data(base64Encoded: payloadText))
        payload[payload.startIndex + 3] ^= 0x01
        envelope["payload"] = payload.base64EncodedString()
        try ws.writeEnvelope(envelope)
        let result = try ws.run(["verify", "env.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("not verified"))
    }

    @Test("payload type changed after signing → exit 1")
    func payloadTypeChanged() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try ws.sign("dev")
        var envelope = try ws.envelope()
        envelope["payloadType"] = "application/json"
        try ws.writeEnvelope(envelope)
        let result = try ws.run(["verify", "env.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
    }

    @Test("co-signing with --add keeps the payload; threshold counts distinct keys")
    func coSignAndThreshold() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.keygen("auditor", algorithm: "ecdsa-p256")
        try ws.makeTrustStore([("dev", ""), ("auditor", "")])
        try ws.sign("dev")
        let before = try ws.envelope()

        // The same key twice still counts once.
        #expect(try ws.run(["sign", "--add", "env.json", "--key", "dev.key"]).exitCode == 0)
        var result = try ws.run(["verify", "env.json", "--trust", "trust", "--threshold", "2"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("1 distinct trusted key verified, threshold is 2"))

        #expect(try ws.run(["sign", "--add", "env.json", "--key", "auditor.key"]).exitCode == 0)
        let after = try ws.envelope()
        #expect(after["payload"] as? String == before["payload"] as? String)
        #expect((after["signatures"] as? [Any])?.count == 3)
        result = try ws.run(["verify", "env.json", "--trust", "trust", "--threshold", "2"])
        #expect(result.exitCode == 0, "\(result)")
    }

    @Test("JSON result on success and on failure")
    func jsonOutput() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.keygen("stranger")
        try ws.makeTrustStore([("dev", "")])
        try ws.sign("stranger")
        let result = try ws.run(["verify", "env.json", "--trust", "trust", "--format", "json", "--at", "2026-06-01T00:00:00Z"])
        #expect(result.exitCode == 1, "\(result)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let object = try #require(parsed as? [String: Any])
        #expect(object["evaluatedAt"] as? String == "2026-06-01T00:00:00Z")
        let models = try #require(object["models"] as? [[String: Any]])
        #expect(models.first?["verdict"] as? String == "non-compliant")
        let findings = try #require(models.first?["findings"] as? [[String: Any]])
        let signature = try #require(findings.first { $0["ruleID"] as? String == "integrity.signatures" })
        #expect(signature["status"] as? String == "fail")
        #expect((signature["observed"] as? String)?.contains("no trusted key verifies it") == true)

        try ws.sign("dev", into: "dev.json")
        let ok = try ws.run(["verify", "dev.json", "--trust", "trust", "--format", "json"])
        #expect(ok.exitCode == 0, "\(ok)")
        let okParsed = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8))
        let okObject = try #require(okParsed as? [String: Any])
        let okModels = try #require(okObject["models"] as? [[String: Any]])
        #expect(okModels.first?["verdict"] as? String == "compliant")
    }

    @Test("a revoked key's signature is named and does not verify")
    func revokedKey() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", ", \"revoked\": true")])
        try ws.sign("dev")
        let result = try ws.run(["verify", "env.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("revoked"))
    }

    @Test("an expired key verifies nothing, and --at before expiry does")
    func expiredKey() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.makeTrustStore([("dev", ", \"notAfter\": \"2026-01-01T00:00:00Z\"")])
        try ws.sign("dev")
        let late = try ws.run(["verify", "env.json", "--trust", "trust", "--at", "2026-06-01T00:00:00Z"])
        #expect(late.exitCode == 1, "\(late)")
        #expect(late.stdout.contains("expired at 2026-01-01T00:00:00Z"))
        let early = try ws.run(["verify", "env.json", "--trust", "trust", "--at", "2025-06-01T00:00:00Z"])
        #expect(early.exitCode == 0, "\(early)")
    }

    @Test("keygen writes the private key with mode 0600 and refuses to overwrite")
    func keygenFiles() throws {
        let ws = try Workspace()
        try ws.keygen("dev")
        let attributes = try FileManager.default.attributesOfItem(atPath: ws.path("dev.key"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = try ws.run(["keygen", "--out", "dev"])
        #expect(again.exitCode == 2, "\(again)")
        #expect(again.stderr.contains("already exists"))
        #expect(try ws.run(["keygen", "--out", "dev", "--force"]).exitCode == 0)
        // The private key is never printed.
        let printed = try ws.run(["keygen", "--out", "other"])
        #expect(!printed.stdout.contains("PRIVATE KEY"))
    }

    @Test("an encrypted key needs its passphrase from the environment")
    func passphrase() throws {
        let ws = try Workspace()
        let env = ["AUDIT_TEST_PASS": "correct horse battery staple"]
        let generated = try ws.run(
            ["keygen", "--algorithm", "ecdsa-p384", "--out", "dev", "--passphrase-env", "AUDIT_TEST_PASS"],
            environment: env)
        #expect(generated.exitCode == 0, "\(generated)")
        #expect(String(decoding: try ws.read("dev.key"), as: UTF8.self).contains("ENCRYPTED PRIVATE KEY"))
        try ws.write("payload.json", "{}")
        let missing = try ws.run(["sign", "payload.json", "--key", "dev.key", "-o", "env.json"])
        #expect(missing.exitCode == 2, "\(missing)")
        #expect(missing.stderr.contains("encrypted"))
        let signed = try ws.run(
            ["sign", "payload.json", "--key", "dev.key", "-o", "env.json", "--passphrase-env", "AUDIT_TEST_PASS"],
            environment: env)
        #expect(signed.exitCode == 0, "\(signed)")
        try ws.write("pass.txt", "correct horse battery staple\n")
        let fromFile = try ws.run(
            ["sign", "payload.json", "--key", "dev.key", "-o", "env2.json", "--passphrase-file", "pass.txt"])
        #expect(fromFile.exitCode == 0, "\(fromFile)")
    }

    @Test("show prints the payload and who signed it")
    func show() throws {
        let ws = try Workspace()
        let keyID = try ws.keygen("dev")
        try ws.makeTrustStore([("dev", "")])
        try ws.sign("dev", payload: "{\"model\": \"acme-7b\"}")
        let result = try ws.run(["show", "env.json", "--trust", "trust"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("\"model\" : \"acme-7b\""))
        #expect(result.stdout.contains(keyID))
        #expect(result.stdout.contains("trusted: verified by"))
    }

    @Test("--help of every subcommand has examples")
    func helpHasExamples() throws {
        for command in ["keygen", "sign", "verify", "show"] {
            let result = try AuditBinary.run([command, "--help"])
            #expect(result.exitCode == 0)
            #expect(result.stdout.contains("Examples:"), "\(command) --help has no examples")
        }
    }
}
