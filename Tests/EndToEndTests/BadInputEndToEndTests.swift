import Foundation
import Testing

/// Every bad input gets one clear line on stderr and the documented exit code, never a crash trace.
@Suite("audit verify on bad input")
struct BadInputEndToEndTests {
    /// A workspace with a trusted Ed25519 key `dev`, an untrusted `stranger`, and `env.json` signed by `dev`.
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        try ws.keygen("stranger")
        try ws.makeTrustStore([("dev", "")])
        try ws.sign("dev")
        return ws
    }

    /// Asserts a clean failure: the exit code, a one-line `audit: error:` message containing `text`, no trace.
    static func expectError(_ result: AuditBinary.Result, exit: Int32, mentions text: String) {
        #expect(result.exitCode == exit, "\(result)")
        #expect(result.stderr.contains(text), "stderr does not mention \"\(text)\": \(result)")
        #expect(!result.stderr.contains("Fatal error"), "\(result)")
        #expect(!result.stderr.contains("Stack dump"), "\(result)")
        if exit == 2 {
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.first?.hasPrefix("audit: error:") == true, "\(result)")
        }
    }

    @Test("missing file")
    func missingFile() throws {
        let ws = try Self.setUp()
        Self.expectError(try ws.run(["verify", "nope.json", "--trust", "trust"]), exit: 2, mentions: "no such file")
    }

    @Test("not JSON")
    func notJSON() throws {
        let ws = try Self.setUp()
        try ws.write("bad.json", "this is not json")
        Self.expectError(try ws.run(["verify", "bad.json", "--trust", "trust"]), exit: 2, mentions: "at byte 1")
    }

    @Test("JSON but not an envelope")
    func notAnEnvelope() throws {
        let ws = try Self.setUp()
        try ws.write("bad.json", "{\"hello\": \"world\"}")
        Self.expectError(try ws.run(["verify", "bad.json", "--trust", "trust"]), exit: 2, mentions: "not a DSSE envelope")
    }

    @Test("bad base64 in the payload and in a signature")
    func badBase64() throws {
        let ws = try Self.setUp()
        var envelope = try ws.envelope()
        envelope["payload"] = "%%%not base64%%%"
        try ws.writeEnvelope(envelope, "bad.json")
        Self.expectError(try ws.run(["verify", "bad.json", "--trust", "trust"]), exit: 2, mentions: "/payload")

        envelope = try ws.envelope()
        envelope["signatures"] = [["sig": "not*base64"]]
        try ws.writeEnvelope(envelope, "bad2.json")
        Self.expectError(try ws.run(["verify", "bad2.json", "--trust", "trust"]), exit: 2, mentions: "/signatures/0/sig")
    }

    @Test("empty signatures → not verified (exit 1)")
    func emptySignatures() throws {
        let ws = try Self.setUp()
        var envelope = try ws.envelope()
        envelope["signatures"] = [Any]()
        try ws.writeEnvelope(envelope, "bad.json")
        let result = try ws.run(["verify", "bad.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("no signatures"))
    }

    @Test("signature by an unknown key → exit 1")
    func unknownKey() throws {
        let ws = try Self.setUp()
        try ws.sign("stranger", into: "stranger.json")
        let result = try ws.run(["verify", "stranger.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("no trusted key verifies it"))
    }

    @Test("truncated signature → exit 1")
    func truncatedSignature() throws {
        let ws = try Self.setUp()
        var envelope = try ws.envelope()
        var signatures = try #require(envelope["signatures"] as? [[String: Any]])
        let sigText = try #require(signatures[0]["sig"] as? String)
        let sig = try #require(Data(base64Encoded: sigText))
        signatures[0]["sig"] = sig.prefix(sig.count - 5).base64EncodedString()
        envelope["signatures"] = signatures
        try ws.writeEnvelope(envelope, "bad.json")
        let result = try ws.run(["verify", "bad.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
    }

    @Test("an Ed25519 signature checked against an ECDSA key → exit 1")
    func wrongAlgorithm() throws {
        let ws = try Workspace()
        let ecKeyID = try ws.keygen("ec", algorithm: "ecdsa-p256")
        try ws.keygen("ed")
        try ws.makeTrustStore([("ec", "")])
        try ws.sign("ed")
        // Point the keyid hint at the ECDSA key: the hint must not make the Ed25519 signature pass.
        var envelope = try ws.envelope()
        var signatures = try #require(envelope["signatures"] as? [[String: Any]])
        signatures[0]["keyid"] = ecKeyID
        envelope["signatures"] = signatures
        try ws.writeEnvelope(envelope)
        let result = try ws.run(["verify", "env.json", "--trust", "trust"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("does not verify under the trusted key its keyid names"))
    }

    @Test("envelope larger than the limit")
    func tooLarge() throws {
        let ws = try Self.setUp()
        let result = try ws.run(["verify", "env.json", "--trust", "trust", "--max-bytes", "64"])
        Self.expectError(result, exit: 2, mentions: "larger than the 64-byte limit")
    }

    @Test("100,000-deep nesting")
    func deepNesting() throws {
        let ws = try Self.setUp()
        try ws.write("deep.json", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
        Self.expectError(try ws.run(["verify", "deep.json", "--trust", "trust"]), exit: 2, mentions: "deep")
    }

    @Test("duplicate payload key")
    func duplicatePayload() throws {
        let ws = try Self.setUp()
        let original = String(decoding: try ws.read("env.json"), as: UTF8.self)
        let duplicated = original.replacingOccurrences(
            of: "\"payload\" :", with: "\"payload\" : \"e30=\", \"payload\" :")
        #expect(duplicated != original)
        try ws.write("dup.json", duplicated)
        Self.expectError(try ws.run(["verify", "dup.json", "--trust", "trust"]), exit: 2, mentions: "duplicate key")
    }

    @Test("unknown member in the envelope")
    func unknownMember() throws {
        let ws = try Self.setUp()
        var envelope = try ws.envelope()
        envelope["critical"] = true
        try ws.writeEnvelope(envelope, "bad.json")
        Self.expectError(try ws.run(["verify", "bad.json", "--trust", "trust"]), exit: 2, mentions: "critical")
    }

    @Test("trust directory missing")
    func trustMissing() throws {
        let ws = try Self.setUp()
        Self.expectError(try ws.run(["verify", "env.json", "--trust", "nowhere"]), exit: 2, mentions: "does not exist")
    }

    @Test("trust directory empty")
    func trustEmpty() throws {
        let ws = try Self.setUp()
        try FileManager.default.createDirectory(atPath: ws.path("empty"), withIntermediateDirectories: true)
        Self.expectError(try ws.run(["verify", "env.json", "--trust", "empty"]), exit: 2, mentions: "is empty")
    }

    @Test("trust store problems are all listed")
    func trustStoreProblems() throws {
        let ws = try Self.setUp()
        try FileManager.default.createDirectory(atPath: ws.path("bad-trust"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ws.path("dev.pub"), toPath: ws.path("bad-trust/a.pub"))
        try FileManager.default.copyItem(atPath: ws.path("dev.pub"), toPath: ws.path("bad-trust/b.pub"))
        try ws.write("bad-trust/junk.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        try ws.write(
            "bad-trust/trust.json",
            """
            {"version": 1, "keys": [
              {"file": "a.pub", "owner": "A", "roles": ["developer"]},
              {"file": "b.pub", "owner": "B", "roles": ["developer"]},
              {"file": "junk.pem", "owner": "J", "roles": ["developer"]},
              {"file": "gone.pub", "owner": "G", "roles": ["wizard"]}
            ]}
            """)
        let result = try ws.run(["verify", "env.json", "--trust", "bad-trust"])
        Self.expectError(result, exit: 2, mentions: "same key as a.pub")
        #expect(result.stderr.contains("gone.pub is listed but does not exist"))
        #expect(result.stderr.contains("junk.pem"))
    }

    @Test("JSON format still prints JSON when the input is malformed")
    func jsonOnError() throws {
        let ws = try Self.setUp()
        try ws.write("bad.json", "[1, 2")
        let result = try ws.run(["verify", "bad.json", "--trust", "trust", "--format", "json"])
        #expect(result.exitCode == 2, "\(result)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let object = try #require(parsed as? [String: Any])
        #expect(object["status"] as? String == "error")
        #expect(object["verdict"] as? String == "could-not-evaluate")
        #expect(object["code"] as? String == "malformed-input")
    }

    @Test("a malformed envelope's JSON error names the member by its pointer")
    func jsonErrorPointer() throws {
        let ws = try Self.setUp()
        try ws.write("odd.json", #"{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AA==","extra":1}]}"#)
        let result = try ws.run(["verify", "odd.json", "--trust", "trust", "--format", "json"])
        #expect(result.exitCode == 2, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["pointer"] as? String == "/signatures/0/extra")
        #expect(object["code"] as? String == "malformed-input")
        #expect(result.stderr.contains("/signatures/0/extra: unknown member"), "\(result)")
    }

    @Test("audit policy test on a missing folder is a clear error with exit 2")
    func policyTestMissingFolder() throws {
        let ws = try Self.setUp()
        try ws.write("policy.yaml", "version: 1\nname: p\nrules: []\n")
        let result = try ws.run(["policy", "test", "no-such-cases", "--policy", "policy.yaml"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.hasPrefix("audit: error: no-such-cases: no such file"), "\(result)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"), "\(result)")
    }

    @Test("usage errors exit 64")
    func usage() throws {
        let ws = try Self.setUp()
        #expect(try ws.run(["verify"]).exitCode == 64)
        #expect(try ws.run(["verify", "env.json", "--threshold", "0"]).exitCode == 64)
        #expect(try ws.run(["verify", "env.json", "--at", "yesterday"]).exitCode == 64)
        #expect(try ws.run(["sign", "payload.json"]).exitCode == 64)
        #expect(try ws.run(["frobnicate"]).exitCode == 64)
    }
}
