import Foundation
import ModelAudit
import Testing

/// `audit trust init|add|list|show|remove|revoke|check`, run as a user would, and every edit it must refuse.
@Suite("audit trust")
struct TrustCommandEndToEndTests {
    static let developer = "Acme AI, Inc."

    /// A workspace with `dev` (Ed25519) and an initialised, empty `keys/` trust store.
    static func setUp() throws -> Workspace {
        let ws = try Workspace()
        try ws.keygen("dev")
        let initialised = try ws.run(["trust", "init", "--trust", "keys"])
        #expect(initialised.exitCode == 0, "\(initialised)")
        #expect(initialised.stdout.contains("created keys/trust.json with no keys"), "\(initialised)")
        return ws
    }

    static func add(_ ws: Workspace, _ key: String = "dev.pub", _ extra: [String] = []) throws -> AuditBinary.Result {
        try ws.run(["trust", "add", key, "--owner", developer, "--role", "developer", "--trust", "keys"] + extra)
    }

    @Test("keygen prints the trust add command, and the store it builds verifies a signed manifest")
    func keygenAddVerify() throws {
        let ws = try Self.setUp()
        let keygen = try ws.run(["keygen", "--out", "rel"])
        #expect(keygen.stdout.contains("audit trust add rel.pub --owner \"OWNER\" --role developer --trust keys"))
        let added = try Self.add(ws, "dev.pub", ["--role", "publisher", "--not-after", "2030-01-01T00:00:00Z"])
        #expect(added.exitCode == 0, "\(added)")
        #expect(added.stdout.hasPrefix("added dev.pub (sha256:"), "\(added)")
        #expect(added.stdout.contains("roles developer, publisher"), "\(added)")

        try ws.sign("dev")
        let verified = try ws.run(["verify", "env.json", "--trust", "keys", "--at", "2026-06-01T00:00:00Z"])
        #expect(verified.exitCode == 0, "\(verified)")

        let list = try ws.run(["trust", "list", "--trust", "keys", "--at", "2026-06-01T00:00:00Z"])
        #expect(list.stdout.contains("dev.pub  \"Acme AI, Inc.\"  developer,publisher  valid"), "\(list)")
        let show = try ws.run(["trust", "show", "dev.pub", "--trust", "keys", "--at", "2031-01-01T00:00:00Z"])
        #expect(show.stdout.contains("not after:  2030-01-01T00:00:00Z"), "\(show)")
        #expect(show.stdout.contains("status:     expired"), "\(show)")
        let index = String(decoding: try ws.read("keys/trust.json"), as: UTF8.self)
        #expect(index.contains("\"keyid\" : \"sha256:") || index.contains("\"keyid\": \"sha256:"), "\(index)")
    }

    @Test("revoke keeps the key listed and stops it verifying; remove deletes it and its file")
    func revokeAndRemove() throws {
        let ws = try Self.setUp()
        #expect(try Self.add(ws).exitCode == 0)
        try ws.sign("dev")
        let revoked = try ws.run(["trust", "revoke", "dev.pub", "--note", "laptop lost", "--trust", "keys"])
        #expect(revoked.exitCode == 0 && revoked.stdout.hasPrefix("revoked dev.pub"), "\(revoked)")
        let verify = try ws.run(["verify", "env.json", "--trust", "keys"])
        #expect(verify.exitCode == 1, "\(verify)")
        #expect(verify.stdout.contains("revoked"), "\(verify)")
        let again = try ws.run(["trust", "revoke", "dev.pub", "--trust", "keys"])
        #expect(again.exitCode == 2 && again.stderr.contains("already revoked"), "\(again)")

        let removed = try ws.run(["trust", "remove", "dev.pub", "--trust", "keys"])
        #expect(removed.exitCode == 0 && removed.stdout.hasPrefix("removed dev.pub"), "\(removed)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("keys/dev.pub")))
        let check = try ws.run(["trust", "check", "--trust", "keys"])
        #expect(check.exitCode == 2 && check.stderr.contains("lists no keys"), "\(check)")
    }

    @Test("edits that would break the store are refused and change nothing", arguments: [
        "duplicate", "private key", "certificate", "rsa without scheme", "unknown selector", "no store", "bad name",
    ])
    func refusedEdits(kind: String) throws {
        let ws = try Self.setUp()
        #expect(try Self.add(ws).exitCode == 0)
        let before = try ws.read("keys/trust.json")
        let entriesBefore = try FileManager.default.contentsOfDirectory(atPath: ws.path("keys")).sorted()
        let result: AuditBinary.Result
        let mentions: String
        switch kind {
        case "duplicate":
            result = try Self.add(ws, "dev.pub", ["--name", "again.pub"])
            mentions = "is already listed as dev.pub"
        case "private key":
            result = try Self.add(ws, "dev.key")
            mentions = "holds a private key"
        case "certificate":
            try ws.write("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
            result = try Self.add(ws, "cert.pem")
            mentions = "cert.pem: certificate 1: not a DER X.509 certificate"
        case "rsa without scheme":
            try ws.keygen("rsa", algorithm: "rsa-3072")
            result = try Self.add(ws, "rsa.pub")
            mentions = "say which scheme it signs with"
        case "unknown selector":
            result = try ws.run(["trust", "remove", "sha256:0123456789", "--trust", "keys"])
            mentions = "no entry in keys/trust.json match"
        case "no store":
            result = try ws.run(["trust", "add", "dev.pub", "--owner", "A", "--role", "host", "--trust", "nowhere"])
            mentions = "audit trust init --trust nowhere"
        default:
            result = try Self.add(ws, "dev.pub", ["--name", "../escape.pub"])
            mentions = "must be a plain"
        }
        #expect(result.exitCode == 2, "\(kind): \(result)")
        #expect(result.stderr.hasPrefix("audit: error: "), "\(kind): \(result)")
        #expect(result.stderr.contains(mentions), "\(kind): \(result)")
        #expect(try ws.read("keys/trust.json") == before, "\(kind) changed trust.json")
        let entriesAfter = try FileManager.default.contentsOfDirectory(atPath: ws.path("keys")).sorted()
        #expect(entriesAfter == entriesBefore, "\(kind) left files behind: \(entriesAfter)")
    }

    @Test("a second editor while one holds the lock is refused, not merged")
    func concurrentEditorRefused() throws {
        let ws = try Self.setUp()
        try ws.keygen("other")
        let lock = try FileLock.acquire(for: ws.path("keys/trust.json"))
        let result = try Self.add(ws, "other.pub")
        lock.release()
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("cannot lock"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("keys/other.pub")))
        #expect(try Self.add(ws, "other.pub").exitCode == 0)
    }

    @Test("usage errors: no role, a bad date")
    func usage() throws {
        let ws = try Self.setUp()
        #expect(try ws.run(["trust", "add", "dev.pub", "--owner", "A", "--trust", "keys"]).exitCode == 64)
        let badDate = try Self.add(ws, "dev.pub", ["--not-after", "soon"])
        #expect(badDate.exitCode == 64 && badDate.stderr.contains("RFC 3339"), "\(badDate)")
    }
}
