import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// Where the bundles made by model-signing 1.1.1 (`Tests/Fixtures/oms/make-fixtures.sh`) and the spec vectors live.
enum OMSFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let directory = root.appendingPathComponent("Tests/Fixtures/oms")
    static let vectors = root.appendingPathComponent("Tests/Vectors/oms")
    static let time = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28

    static func bundle(_ name: String) throws -> SigstoreBundle {
        try SigstoreBundle.decode(try read("bundles/\(name).sig"))
    }

    static func read(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relative)))
    }

    static func key(_ name: String) throws -> TrustedKey {
        try TrustedKey.given(try PublicKey(pem: try read("keys/\(name).pub")), file: "\(name).pub")
    }

    /// A copy of the fixture model in a new temporary directory, changed by `edit`; the directory is removed when the
    /// test case ends (its suite has the `.removesTemporaryDirectories` trait).
    static func model(_ edit: (URL) throws -> Void = { _ in }) throws -> URL {
        let work = try TemporaryDirectories.make(prefix: "oms")
        let model = work.appendingPathComponent("model")
        try FileManager.default.copyItem(at: directory.appendingPathComponent("model"), to: model)
        try edit(model)
        return model
    }

    static func verify(
        _ bundle: SigstoreBundle, keys: [TrustedKey], model: URL?, followSymlinks: Bool = false
    ) throws -> OMSVerification {
        try OMSVerifier(trust: OMSSignerTrust(keys: keys), time: time).verify(
            bundle, modelPath: model?.path, followSymlinks: followSymlinks)
    }

    static func problems(_ verification: OMSVerification) -> [String] {
        verification.artifacts?.problems.map(\.description) ?? []
    }
}

@Suite("OMS bundles made by model-signing 1.1.1", .removesTemporaryDirectories)
struct OMSReferenceFixtureTests {
    @Test(
        "each key-signed bundle verifies, with its own key only, and the model matches",
        arguments: [
            ("key-p256", "p256"), ("key-p384", "p384"), ("key-p521", "p521"), ("key-encrypted", "p256-encrypted"),
            ("ignore-paths", "p256"), ("no-git-ignore", "p256"),
        ])
    func keyBundles(bundle name: String, key: String) throws {
        let bundle = try OMSFixtures.bundle(name)
        let model = try OMSFixtures.model()
        let verification = try OMSFixtures.verify(bundle, keys: [try OMSFixtures.key(key)], model: model)
        #expect(verification.passed, "\(OMSFixtures.problems(verification))")
        #expect(verification.statement?.subjectName == "model")
        let other = key == "p384" ? "p256" : "p384"
        let wrong = try OMSFixtures.verify(bundle, keys: [try OMSFixtures.key(other)], model: model)
        #expect(!wrong.signatures.isVerified)
        #expect(!wrong.passed)
    }

    @Test("a shard bundle verifies (the reference tool refuses its own, for its float shard_size)")
    func shards() throws {
        let bundle = try OMSFixtures.bundle("shards-sha256")
        guard
            case .shards(let size) = bundle.dsseEnvelope.flatMap({
                try? OMSStatement.read(StrictJSON.parse($0.payload))
            })?
            .serialization.method
        else {
            Issue.record("not a shard statement")
            return
        }
        #expect(size == 1000)
        let model = try OMSFixtures.model {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("empty.txt"))
        }
        let verification = try OMSFixtures.verify(bundle, keys: [try OMSFixtures.key("p256")], model: model)
        #expect(verification.passed, "\(OMSFixtures.problems(verification))")
        #expect(verification.artifacts?.verified.map(\.path).contains("weights.bin:1000:2000") == true)
    }

    @Test("shard mode cannot vouch for an empty file, so one beside the model fails (the reference tool passes it)")
    func shardsEmptyFile() throws {
        let verification = try OMSFixtures.verify(
            try OMSFixtures.bundle("shards-sha256"), keys: [try OMSFixtures.key("p256")], model: try OMSFixtures.model()
        )
        #expect(!verification.passed)
        #expect(OMSFixtures.problems(verification).contains { $0.hasPrefix("empty.txt: empty file not covered") })
    }

    @Test("a changed shard is named by its range")
    func changedShard() throws {
        let model = try OMSFixtures.model {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("empty.txt"))
            let handle = try FileHandle(forWritingTo: $0.appendingPathComponent("weights.bin"))
            try handle.seek(toOffset: 1500)
            handle.write(Data([0xFF]))
            try handle.close()
        }
        let verification = try OMSFixtures.verify(
            try OMSFixtures.bundle("shards-sha256"), keys: [try OMSFixtures.key("p256")], model: model)
        #expect(OMSFixtures.problems(verification).count == 1)
        #expect(OMSFixtures.problems(verification).first?.hasPrefix("weights.bin:1000:2000: digest mismatch") == true)
    }

    @Test("a file grown past its last shard fails")
    func grownShardFile() throws {
        let model = try OMSFixtures.model {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("empty.txt"))
            let handle = try FileHandle(forWritingTo: $0.appendingPathComponent("weights.bin"))
            try handle.seekToEnd()
            handle.write(Data([1, 2, 3]))
            try handle.close()
        }
        let verification = try OMSFixtures.verify(
            try OMSFixtures.bundle("shards-sha256"), keys: [try OMSFixtures.key("p256")], model: model)
        #expect(
            OMSFixtures.problems(verification) == ["weights.bin: 2503 bytes, but the signed shards cover 2500 bytes"])
    }

    @Test("the single-file bundle (name \".\") verifies the file, not a directory")
    func singleFile() throws {
        let bundle = try OMSFixtures.bundle("single-file")
        let model = try OMSFixtures.model()
        let file = model.appendingPathComponent("weights.bin")
        let verification = try OMSFixtures.verify(bundle, keys: [try OMSFixtures.key("p256")], model: file)
        #expect(verification.passed, "\(OMSFixtures.problems(verification))")
        let directory = try OMSFixtures.verify(bundle, keys: [try OMSFixtures.key("p256")], model: model)
        #expect(!directory.passed)
        let other = try OMSFixtures.verify(
            bundle, keys: [try OMSFixtures.key("p256")], model: model.appendingPathComponent("config.json"))
        #expect(!other.passed)
    }

    @Test("ignore_paths are applied as signed: from the model root only")
    func ignorePaths() throws {
        let bundle = try OMSFixtures.bundle("ignore-paths")
        let key = try OMSFixtures.key("p256")
        let changedNotes = try OMSFixtures.model {
            try Data("changed".utf8).write(to: $0.appendingPathComponent("notes/README.md"))
            try Data("new".utf8).write(to: $0.appendingPathComponent("notes/extra.md"))
        }
        #expect(try OMSFixtures.verify(bundle, keys: [key], model: changedNotes).passed)
        let nested = try OMSFixtures.model {
            try FileManager.default.createDirectory(
                at: $0.appendingPathComponent("tokenizer/notes"), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: $0.appendingPathComponent("tokenizer/notes/a.md"))
        }
        let result = try OMSFixtures.verify(bundle, keys: [key], model: nested)
        #expect(OMSFixtures.problems(result) == ["tokenizer/notes/a.md: not listed in the manifest"])
    }

    @Test("git paths are left out only where the bundle says so")
    func gitPaths() throws {
        let key = try OMSFixtures.key("p256")
        let withGit = try OMSFixtures.model {
            try FileManager.default.createDirectory(
                at: $0.appendingPathComponent(".git"), withIntermediateDirectories: true)
            try Data("ref: refs/heads/main\n".utf8).write(to: $0.appendingPathComponent(".git/HEAD"))
        }
        #expect(try OMSFixtures.verify(try OMSFixtures.bundle("key-p256"), keys: [key], model: withGit).passed)
        let strict = try OMSFixtures.verify(try OMSFixtures.bundle("no-git-ignore"), keys: [key], model: withGit)
        #expect(OMSFixtures.problems(strict) == [".git/HEAD: not listed in the manifest"])
    }

    @Test(
        "every change to the model fails and is named, empty files included",
        arguments: [
            ("changed", "config.json: digest mismatch"),
            ("added", "added.bin: not listed in the manifest"),
            ("removed", "tokenizer/vocab.txt: missing"),
            ("renamed", "weights.renamed: not listed in the manifest"),
            ("added empty", "new-empty.txt: not listed in the manifest"),
            ("removed empty", "empty.txt: missing"),
        ])
    func mutations(change: String, expected: String) throws {
        let model = try OMSFixtures.model { root in
            let manager = FileManager.default
            switch change {
            case "changed": try Data("{}".utf8).write(to: root.appendingPathComponent("config.json"))
            case "added": try Data([1]).write(to: root.appendingPathComponent("added.bin"))
            case "removed": try manager.removeItem(at: root.appendingPathComponent("tokenizer/vocab.txt"))
            case "renamed":
                try manager.moveItem(
                    at: root.appendingPathComponent("weights.bin"), to: root.appendingPathComponent("weights.renamed"))
            case "added empty": try Data().write(to: root.appendingPathComponent("new-empty.txt"))
            default: try manager.removeItem(at: root.appendingPathComponent("empty.txt"))
            }
        }
        let verification = try OMSFixtures.verify(
            try OMSFixtures.bundle("key-p256"), keys: [try OMSFixtures.key("p256")], model: model)
        #expect(!verification.passed)
        #expect(
            OMSFixtures.problems(verification).contains { $0.hasPrefix(expected) },
            "\(OMSFixtures.problems(verification))")
    }

    @Test("a symbolic link in the model is refused unless links are followed")
    func symlink() throws {
        let model = try OMSFixtures.model {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("config.json"))
            try FileManager.default.copyItem(
                at: OMSFixtures.directory.appendingPathComponent("model/config.json"),
                to: $0.deletingLastPathComponent().appendingPathComponent("config.json"))
            try FileManager.default.createSymbolicLink(
                atPath: $0.appendingPathComponent("config.json").path,
                withDestinationPath: "tokenizer/../../config.json")
        }
        let key = try OMSFixtures.key("p256")
        let refused = try OMSFixtures.verify(try OMSFixtures.bundle("key-p256"), keys: [key], model: model)
        #expect(OMSFixtures.problems(refused).contains { $0.contains("symbolic link") })
        // Following is allowed only inside the model, so a link out of it is refused either way.
        let followed = try OMSFixtures.verify(
            try OMSFixtures.bundle("key-p256"), keys: [key], model: model, followSymlinks: true)
        #expect(!followed.passed)
    }
}

@Suite("OMS signatures", .removesTemporaryDirectories)
struct OMSSignatureTests {
    /// A fresh P-256 key and a bundle over the fixture model signed with it by our signer.
    static func signed(_ signer: OMSSigner = OMSSigner(), keys: [PrivateKey]) throws -> (SigstoreBundle, URL) {
        let model = try OMSFixtures.model()
        let payload = try signer.statementPayload(modelPath: model.path, bundlePath: nil)
        return (try OMSSigner.bundle(payload: payload, keys: keys), model)
    }

    @Test("our bundles verify in files and shard mode, and their hint is the reference tool's (SHA-256 of the PEM)")
    func roundTrip() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let trusted = try TrustedKey.given(key.publicKey, file: "k.pub")
        for signer in [OMSSigner(), OMSSigner(shardSize: 1000), OMSSigner(ignorePaths: ["notes"])] {
            var (bundle, model) = try Self.signed(signer, keys: [key])
            if signer.shardSize != nil {
                try FileManager.default.removeItem(at: model.appendingPathComponent("empty.txt"))
            }
            bundle = try SigstoreBundle.decode(try bundle.encoded())
            let verification = try OMSFixtures.verify(bundle, keys: [trusted], model: model)
            #expect(verification.passed, "\(OMSFixtures.problems(verification))")
            #expect(
                bundle.signer
                    == .publicKey(hint: try Digests.sha256Hex(Array(try key.publicKey.pem.utf8)), rawBytes: nil))
        }
    }

    @Test("a bundle written inside the model is left out when signing (and recorded) and when verifying")
    func bundleInsideModel() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let model = try OMSFixtures.model()
        let bundlePath = model.appendingPathComponent("model.sig").path
        let payload = try OMSSigner().statementPayload(modelPath: model.path, bundlePath: bundlePath)
        let bundle = try OMSSigner.bundle(payload: payload, keys: [key])
        try Data(try bundle.encoded()).write(to: URL(fileURLWithPath: bundlePath))
        let statement = try OMSStatement.read(try StrictJSON.parse(payload))
        #expect(statement.serialization.ignorePaths?.contains("model.sig") == true)
        #expect(!statement.paths.contains("model.sig"))
        let verification = try OMSVerifier(
            trust: OMSSignerTrust(keys: [try TrustedKey.given(key.publicKey, file: "k.pub")]), time: OMSFixtures.time
        ).verify(bundle, bundlePath: bundlePath, modelPath: model.path)
        #expect(verification.passed, "\(OMSFixtures.problems(verification))")
    }

    @Test("every signature counts: a bad first signature does not hide a good second one")
    func everySignatureCounts() throws {
        let good = try PrivateKey.generate(.ecdsaP256)
        let stranger = try PrivateKey.generate(.ecdsaP384)
        let (bundle, model) = try Self.signed(keys: [stranger, good])
        let verification = try OMSFixtures.verify(
            bundle, keys: [try TrustedKey.given(good.publicKey, file: "good.pub")], model: model)
        #expect(verification.passed)
        #expect(verification.signatures.signatures.map(\.isVerified) == [false, true])
    }

    @Test("the key hint never decides: a wrong hint still verifies, a matching hint on a forged signature does not")
    func hintIsOnlyAHint() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        var (bundle, model) = try Self.signed(keys: [key])
        let trusted = try TrustedKey.given(key.publicKey, file: "k.pub")
        bundle.signer = .publicKey(hint: String(repeating: "0", count: 64), rawBytes: nil)
        #expect(try OMSFixtures.verify(bundle, keys: [trusted], model: model).passed)
        guard case .dsseEnvelope(var envelope) = bundle.content else { return }
        envelope.signatures[0].signature[10] ^= 0x01
        bundle.content = .dsseEnvelope(envelope)
        #expect(!(try OMSFixtures.verify(bundle, keys: [trusted], model: model).signatures.isVerified))
    }

    @Test("a changed payload never verifies, and its statement is never read")
    func tamperedPayload() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        var (bundle, model) = try Self.signed(keys: [key])
        guard case .dsseEnvelope(var envelope) = bundle.content else { return }
        envelope.payload = Array(
            String(decoding: envelope.payload, as: UTF8.self)
                .replacingOccurrences(of: "config.json", with: "config.jsoN").utf8)
        bundle.content = .dsseEnvelope(envelope)
        let verification = try OMSFixtures.verify(
            bundle, keys: [try TrustedKey.given(key.publicKey, file: "k.pub")], model: model)
        #expect(!verification.signatures.isVerified)
        #expect(verification.statement == nil)
    }

    @Test("a certificate chain vouches for nothing without trust anchors")
    func certificateWithoutAnchors() throws {
        let verification = try OMSFixtures.verify(
            try OMSFixtures.bundle("certificate-chain"), keys: [], model: try OMSFixtures.model())
        #expect(!verification.signatures.isVerified)
        #expect(verification.certificateProblem?.contains("--ca-roots") == true)
    }
}

@Suite("OMS bad input", .removesTemporaryDirectories)
struct OMSBadInputTests {
    /// The bundle's problems, as the error describes them.
    static func bundleError(_ text: String) -> String {
        do {
            _ = try SigstoreBundle.decode(Array(text.utf8))
            return "decoded"
        } catch {
            return "\(error)"
        }
    }

    static let fixture = String(decoding: (try? OMSFixtures.read("bundles/key-p256.sig")) ?? [], as: UTF8.self)

    @Test(
        "unusable bundles are errors that name the JSON pointer",
        arguments: [
            ("truncated", String(fixture.prefix(200)), "unexpected end of JSON input"),
            ("not JSON", "model signature", "unexpected character 'm' at byte 0"),
            (
                "unknown media type", fixture.replacingOccurrences(of: "bundle.v0.3+json", with: "bundle.v9+json"),
                "/mediaType: unknown bundle media type"
            ),
            (
                "no signatures",
                fixture.replacing(
                    #/"signatures":\[.*\]\}\}/#, with: #""signatures":[]}}"#),
                "/dsseEnvelope/signatures: the envelope carries no signatures"
            ),
            (
                "no envelope",
                #"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","#
                    + #""verificationMaterial":{"publicKey":{"hint":"ab"}}}"#,
                "/dsseEnvelope: required member is missing"
            ),
            (
                "no signer",
                #"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"#
                    + #""dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","#
                    + #""signatures":[{"sig":"AAAA"}]}}"#,
                "/verificationMaterial: no signer"
            ),
            (
                "certificate not DER base64",
                fixture.replacing(
                    #/"publicKey":\{[^}]*\}/#,
                    with: #""x509CertificateChain":{"certificates":[{"rawBytes":"-----BEGIN CERTIFICATE-----"}]}"#),
                "/verificationMaterial/x509CertificateChain/certificates/0/rawBytes: not valid base64"
            ),
            (
                "unknown member",
                fixture.replacingOccurrences(of: #""tlogEntries":[]"#, with: #""tlogEntries":[],"extra":1"#),
                "/verificationMaterial/extra: unknown member"
            ),
        ])
    func badBundles(name: String, text: String, expected: String) {
        let error = Self.bundleError(text)
        #expect(error != "decoded", "\(name)")
        #expect(error.contains(expected), "\(name): \(error)")
    }

    /// A statement signed by a fresh key: the OMS verifier's verdict on it and its problem.
    static func verdict(
        _ statement: String, payloadType: String = DSSEEnvelope.inTotoPayloadType
    ) throws
        -> OMSVerification
    {
        let key = try PrivateKey.generate(.ecdsaP256)
        var bundle = try OMSSigner.bundle(payload: Array(statement.utf8), keys: [key])
        if case .dsseEnvelope(var envelope) = bundle.content {
            envelope.payloadType = payloadType
            envelope.signatures = [
                DSSESignature(keyID: nil, signature: try key.signature(for: envelope.preAuthenticationEncoding))
            ]
            bundle.content = .dsseEnvelope(envelope)
        }
        return try OMSFixtures.verify(bundle, keys: [try TrustedKey.given(key.publicKey, file: "k.pub")], model: nil)
    }

    static let digestA = String(repeating: "a", count: 64)
    static let digestB = String(repeating: "b", count: 64)

    /// A statement with the given resources and serialization, and the matching root digest unless `root` is set.
    static func statement(
        resources: [(String, String, String)], serialization: String, subjects: Int = 1, root: String? = nil,
        predicateType: String = OMSStatement.predicateType
    ) -> String {
        let digests = resources.flatMap { Hex.decode($0.2) ?? [] }
        let computed = root ?? ((try? Digests.sha256Hex(digests)) ?? "")
        let subject = #"{"name":"m","digest":{"sha256":"\#(computed)"}}"#
        let list = resources.map { #"{"name":"\#($0.0)","algorithm":"\#($0.1)","digest":"\#($0.2)"}"# }
        let subjectList = Array(repeating: subject, count: subjects).joined(separator: ",")
        return #"{"_type":"https://in-toto.io/Statement/v1","subject":[\#(subjectList)],"#
            + #""predicateType":"\#(predicateType)","predicate":{"resources":[\#(list.joined(separator: ","))],"#
            + #""serialization":\#(serialization)}}"#
    }

    static let files = #"{"method":"files","hash_type":"sha256","allow_symlinks":false}"#
    static func shards(_ size: String) -> String {
        #"{"method":"shards","hash_type":"sha256","shard_size":\#(size),"allow_symlinks":false}"#
    }

    @Test(
        "invalid signed statements fail verification naming the pointer",
        arguments: [
            (
                "two subjects", statement(resources: [("a", "sha256", digestA)], serialization: files, subjects: 2),
                "/subject: an OMS statement has exactly one subject"
            ),
            (
                "another predicate type",
                statement(
                    resources: [("a", "sha256", digestA)], serialization: files,
                    predicateType: "https://slsa.dev/provenance/v1"),
                "/predicateType"
            ),
            (
                "unknown hash",
                statement(
                    resources: [("a", "sha256", digestA)],
                    serialization: #"{"method":"files","hash_type":"md5","allow_symlinks":false}"#),
                "/predicate/serialization/hash_type: unknown hash \"md5\""
            ),
            (
                "zero shard size", statement(resources: [("a:0:1", "sha256", digestA)], serialization: shards("0")),
                "/predicate/serialization/shard_size: expected a positive whole number"
            ),
            (
                "negative shard size",
                statement(resources: [("a:0:1", "sha256", digestA)], serialization: shards("-5")),
                "/predicate/serialization/shard_size"
            ),
            (
                "fractional shard size",
                statement(resources: [("a:0:1", "sha256", digestA)], serialization: shards("2.5")),
                "/predicate/serialization/shard_size"
            ),
            (
                "overlapping shards",
                statement(
                    resources: [("a:0:10", "sha256", digestA), ("a:5:15", "sha256", digestB)],
                    serialization: shards("10")),
                "/predicate/resources/1/name: \"a:5:15\" overlaps"
            ),
            (
                "gapped shards",
                statement(
                    resources: [("a:0:10", "sha256", digestA), ("a:20:25", "sha256", digestB)],
                    serialization: shards("10")),
                "leaves bytes 10..<20 of a unsigned"
            ),
            (
                "shard not starting at 0",
                statement(resources: [("a:3:10", "sha256", digestA)], serialization: shards("10")),
                "leaves bytes 0..<3 of a unsigned"
            ),
            (
                "malformed shard name",
                statement(resources: [("a:x:10", "sha256", digestA)], serialization: shards("10")),
                "/predicate/resources/0/name: \"a:x:10\" is not PATH:START:END"
            ),
            (
                "duplicate resource",
                statement(
                    resources: [("a", "sha256", digestA), ("a", "sha256", digestB)], serialization: files),
                "/predicate/resources/1/name: \"a\" is listed twice"
            ),
            (
                "path escaping the model", statement(resources: [("../a", "sha256", digestA)], serialization: files),
                "/predicate/resources/0/name"
            ),
            (
                "wrong digest length", statement(resources: [("a", "sha256", "abcd")], serialization: files),
                "/predicate/resources/0/digest: expected 64 hex digits"
            ),
            (
                "algorithm not the hash type", statement(resources: [("a", "blake3", digestA)], serialization: files),
                "/predicate/resources/0/algorithm"
            ),
            (
                "root digest", statement(resources: [("a", "sha256", digestA)], serialization: files, root: digestB),
                "/subject/0/digest/sha256: the root digest"
            ),
            ("no resources", statement(resources: [], serialization: files), "/predicate/resources: no resources"),
            (
                "unknown serialization member",
                statement(
                    resources: [("a", "sha256", digestA)],
                    serialization: #"{"method":"files","hash_type":"sha256","allow_symlinks":false,"follow":true}"#),
                "/predicate/serialization/follow: unknown member"
            ),
        ])
    func badStatements(name: String, statement: String, expected: String) throws {
        let verification = try Self.verdict(statement)
        #expect(verification.signatures.isVerified)
        #expect(!verification.passed)
        let problem = verification.statementProblem ?? ""
        #expect(problem.contains(expected), "\(name): \(problem)")
    }

    @Test("a wrong payload type is refused after the signature verifies")
    func wrongPayloadType() throws {
        let verification = try Self.verdict(
            Self.statement(resources: [("a", "sha256", Self.digestA)], serialization: Self.files),
            payloadType: "text/plain")
        #expect(!verification.passed)
        #expect(verification.statementProblem?.contains("/dsseEnvelope/payloadType") == true)
    }

    @Test("a ':' inside a shard's file name is kept: the range is read from the right")
    func colonInName() throws {
        let parsed = try #require(OMSStatement.parseShardName("a:b:c.bin:0:10"))
        #expect(parsed.path == "a:b:c.bin")
        #expect(parsed.range == 0..<10)
        #expect(OMSStatement.parseShardName("plain") == nil)
        #expect(OMSStatement.parseShardName(":0:10") == nil)
        #expect(OMSStatement.parseShardName("a:10:10") == nil)
        #expect(OMSStatement.parseShardName("a:-1:10") == nil)
        let verification = try Self.verdict(
            Self.statement(resources: [("w:x.bin:0:10", "sha256", Self.digestA)], serialization: Self.shards("10")))
        #expect(verification.statementProblem == nil)
        #expect(verification.statement?.paths == ["w:x.bin"])
    }

    @Test("the reference tool's names are read: sha256-sharded-N and a float shard_size")
    func referenceNames() throws {
        let verification = try Self.verdict(
            Self.statement(
                resources: [("w:0:10", "sha256-sharded-10", Self.digestA)], serialization: Self.shards("10.0")))
        #expect(verification.statementProblem == nil, "\(verification.statementProblem ?? "")")
        let mismatch = try Self.verdict(
            Self.statement(resources: [("w:0:10", "sha256-sharded-99", Self.digestA)], serialization: Self.shards("10"))
        )
        #expect(mismatch.statementProblem?.contains("/predicate/resources/0/algorithm") == true)
    }

    @Test("the specification's vectors: the valid key bundle reads, the invalid ones are errors naming the member")
    func specVectors() throws {
        let valid = try SigstoreBundle.decode(
            Array(
                try Data(
                    contentsOf: OMSFixtures.vectors.appendingPathComponent(
                        "test-vectors/valid/key.bundle.json"))))
        #expect(valid.mediaType == .v03)
        let cases = [
            ("invalid/missing-envelope", "/dsseEnvelope"),
            ("invalid/missing-verification-material", "/verificationMaterial"),
            ("invalid/empty", "unexpected end of JSON input"),
        ]
        for (name, expected) in cases {
            let bytes = Array(
                try Data(contentsOf: OMSFixtures.vectors.appendingPathComponent("test-vectors/\(name).bundle.json")))
            #expect(throws: (any Error).self) { try SigstoreBundle.decode(bytes) }
            do {
                _ = try SigstoreBundle.decode(bytes)
            } catch {
                #expect("\(error)".contains(expected), "\(name): \(error)")
            }
        }
    }
}

@Suite("OMS certificate signatures", .removesTemporaryDirectories)
struct OMSCertificateTests {
    static func validator(
        roots: String = "root-ca", identity: OMSCertificateIdentity? = nil
    ) throws
        -> OMSCertificateChainValidator
    {
        try OMSCertificateChainValidator(
            rootsPEM: try OMSFixtures.read("keys/\(roots).pem"), rootsFile: "\(roots).pem", intermediatesPEM: nil,
            intermediatesFile: nil, identity: identity)
    }

    /// 2027-01-15: inside the fixture certificates' validity (made 2026-12-01, the leaf valid for 2,000 days).
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    static func verify(
        _ bundle: SigstoreBundle, _ validator: OMSCertificateChainValidator, at time: Date = Self.time
    )
        throws -> OMSVerification
    {
        try OMSVerifier(trust: OMSSignerTrust(keys: [], certificates: validator), time: time).verify(
            bundle, modelPath: try OMSFixtures.model().path)
    }

    @Test("the reference tool's certificate bundle verifies to its root, naming subject and issuer")
    func verifies() throws {
        let verification = try Self.verify(
            try OMSFixtures.bundle("certificate-chain"), try Self.validator(identity: .exact("release@fixture.example"))
        )
        #expect(verification.passed, "\(verification.certificateProblem ?? "")")
        #expect(verification.certificateSigner?.contains("CN=Fixture Release Signing") == true)
        #expect(verification.certificateSigner?.contains("issued by CN=Fixture Intermediate CA") == true)
        let pattern = try Self.verify(
            try OMSFixtures.bundle("certificate-chain"), try Self.validator(identity: .pattern(".*@fixture\\.example")))
        #expect(pattern.passed)
    }

    @Test(
        "a certificate is refused for the wrong identity, an intermediate as the only root, or after it expired",
        arguments: [
            ("identity", "is not the required identity"), ("regexp part", "is not the required identity"),
            ("intermediate root", "unable to get issuer certificate"), ("expired", "expired"),
        ])
    func refused(reason: String, expected: String) throws {
        let validator: OMSCertificateChainValidator
        var time = Self.time
        switch reason {
        case "identity": validator = try Self.validator(identity: .exact("someone@fixture.example"))
        case "regexp part": validator = try Self.validator(identity: .pattern("release"))
        case "intermediate root": validator = try Self.validator(roots: "intermediate-ca")
        default:
            validator = try Self.validator()
            time = Date(timeIntervalSince1970: 2_000_000_000)  // 2033: the leaf has expired, its CAs have not
        }
        let verification = try Self.verify(try OMSFixtures.bundle("certificate-chain"), validator, at: time)
        #expect(!verification.signatures.isVerified)
        #expect(verification.certificateProblem?.contains(expected) == true, "\(verification.certificateProblem ?? "")")
    }

    @Test("a chain in the wrong order, or a certificate that is not DER, is named")
    func badChains() throws {
        var bundle = try OMSFixtures.bundle("certificate-chain")
        guard case .x509CertificateChain(let chain) = bundle.signer else {
            Issue.record("not a chain bundle")
            return
        }
        bundle.signer = .x509CertificateChain(chain.reversed())
        let reversed = try Self.verify(bundle, try Self.validator())
        #expect(reversed.certificateProblem?.contains("wrong order") == true, "\(reversed.certificateProblem ?? "")")
        bundle.signer = .x509CertificateChain([Array("not a certificate".utf8)] + chain.dropFirst())
        let garbage = try Self.verify(bundle, try Self.validator())
        #expect(
            garbage.certificateProblem?.contains("certificate 0 of the bundle is not a DER X.509 certificate") == true)
    }

    @Test("roots that are not PEM certificates are an error naming the file")
    func rootsNotPEM() {
        #expect(throws: CryptoError.self) {
            _ = try OMSCertificateChainValidator(
                rootsPEM: Array("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8),
                rootsFile: "roots.pem", intermediatesPEM: nil, intermediatesFile: nil, identity: nil)
        }
    }
}

@Suite("OMS BLAKE2b and BLAKE3 bundles", .removesTemporaryDirectories)
struct OMSOtherHashTests {
    static let available =
        OMSHashAlgorithm.blake2b.digestAlgorithm != nil && OMSHashAlgorithm.blake3.digestAlgorithm != nil

    @Test(
        "the reference tool's BLAKE2b and BLAKE3 bundles verify, and a changed file fails",
        .enabled(if: available, "SKIPPED: this build has no BLAKE2b/BLAKE3 digest"),
        arguments: ["files-blake2b", "files-blake3", "shards-blake2b"])
    func referenceBundles(name: String) throws {
        let bundle = try OMSFixtures.bundle(name)
        let model = try OMSFixtures.model {
            if name.hasPrefix("shards") { try FileManager.default.removeItem(at: $0.appendingPathComponent("empty.txt")) }
        }
        let key = try OMSFixtures.key("p256")
        let verification = try OMSFixtures.verify(bundle, keys: [key], model: model)
        #expect(verification.passed, "\(OMSFixtures.problems(verification))")
        try Data("HELLO\nWORLD\n".utf8).write(to: model.appendingPathComponent("tokenizer/vocab.txt"))
        let changed = try OMSFixtures.verify(bundle, keys: [key], model: model)
        #expect(OMSFixtures.problems(changed).contains { $0.hasPrefix("tokenizer/vocab.txt") && $0.contains("mismatch") })
    }

    @Test(
        "our BLAKE2b and BLAKE3 bundles verify",
        .enabled(if: available, "SKIPPED: this build has no BLAKE2b/BLAKE3 digest"),
        arguments: [OMSHashAlgorithm.blake2b, .blake3])
    func ours(hash: OMSHashAlgorithm) throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let model = try OMSFixtures.model()
        let payload = try OMSSigner(hash: hash).statementPayload(modelPath: model.path, bundlePath: nil)
        let bundle = try OMSSigner.bundle(payload: payload, keys: [key])
        let verification = try OMSFixtures.verify(
            bundle, keys: [try TrustedKey.given(key.publicKey, file: "k.pub")], model: model)
        #expect(verification.passed)
        #expect(verification.statement?.serialization.hashType == hash)
    }
}
