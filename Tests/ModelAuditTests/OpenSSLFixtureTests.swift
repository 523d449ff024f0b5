import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// Interoperability with an independent DSSE implementation: the `openssl` CLI plus coreutils.
///
/// One direction reads envelopes that `Tests/Fixtures/openssl/make-fixtures.sh` built without our code; the other
/// signs with our code and asks the `openssl` CLI to verify.
@Suite("OpenSSL CLI interoperability")
struct OpenSSLFixtureTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// Each fixture's name: `NAME.pub` signed `NAME.envelope.json`.
    static let fixtures = [
        "ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-pss-2048", "rsa-pkcs1-2048", "rsassa-pss-key-2048",
    ]

    @Test("the fixture trust store loads every key with the scheme trust.json declares")
    func trustStoreLoads() throws {
        let store = try TrustStore.load(directory: OpenSSLFixtures.directory.path)
        #expect(store.keys.map(\.file).sorted() == Self.fixtures.map { "\($0).pub" }.sorted())
        let schemes = Dictionary(uniqueKeysWithValues: store.keys.map { ($0.file, $0.scheme) })
        #expect(schemes["ed25519.pub"] == .ed25519)
        #expect(schemes["ecdsa-p256.pub"] == .ecdsaP256SHA256)
        #expect(schemes["ecdsa-p384.pub"] == .ecdsaP384SHA384)
        #expect(schemes["rsa-pss-2048.pub"] == .rsaPSSSHA256)
        #expect(schemes["rsa-pkcs1-2048.pub"] == .rsaPKCS1v15SHA256)
        #expect(schemes["rsassa-pss-key-2048.pub"] == .rsaPSSSHA256)
        let types = Dictionary(uniqueKeysWithValues: store.keys.map { ($0.file, $0.publicKey.type) })
        #expect(types["rsa-pss-2048.pub"] == .rsa(bits: 2048))
        #expect(types["rsassa-pss-key-2048.pub"] == .rsaPSS(bits: 2048))
    }

    @Test("an envelope made by the openssl CLI verifies under exactly its own key", arguments: fixtures)
    func fixtureVerifies(name: String) throws {
        let store = try TrustStore.load(directory: OpenSSLFixtures.directory.path)
        let own = try #require(store.keys.first { $0.file == "\(name).pub" }, "\(name).pub is not in trust.json")
        let envelope = try DSSEEnvelope.decode(try OpenSSLFixtures.read("\(name).envelope.json"))
        #expect(envelope.payloadType == DSSEEnvelope.inTotoPayloadType)
        #expect(envelope.payload == (try OpenSSLFixtures.read("payload.json")))
        let signature = try #require(envelope.signatures.first)
        #expect(envelope.signatures.count == 1)
        if name == "ed25519" {
            #expect(signature.keyID == nil, "the Ed25519 fixture carries no keyid")
        } else {
            // The script derived the hint with `openssl pkey -outform DER | openssl dgst -sha256`.
            #expect(signature.keyID == own.keyID, "our key id differs from the one openssl computed")
        }

        let result = EnvelopeVerifier(trustStore: store, time: Self.now).verify(envelope, threshold: 1)
        #expect(result.isVerified, "\(name): \(result.summary); \(result.signatures.map(\.explanation))")
        #expect(result.verifiedKeyIDs == [own.keyID])
        #expect(result.signatures.first?.owner == own.owner)

        // No other trusted key verifies it, under its own scheme.
        let message = envelope.preAuthenticationEncoding
        for other in store.keys where other.keyID != own.keyID {
            let verifies =
                (try? other.publicKey.isValidSignature(
                    signature.signature, for: message, scheme: other.scheme, ecdsaEncoding: .derOrRawRS)) ?? false
            #expect(!verifies, "\(name).envelope.json also verified under \(other.file)")
        }

        // And without its own key in the store, nothing verifies it.
        let others = TrustStore(directory: store.directory, keys: store.keys.filter { $0.keyID != own.keyID })
        #expect(!EnvelopeVerifier(trustStore: others, time: Self.now).verify(envelope).isVerified)
    }

    /// Our signatures, checked by the `openssl` CLI; a tampered PAE must make the CLI fail, so a pass means something.
    @Test(
        "the openssl CLI verifies what our code signs",
        .enabled(if: OpenSSLCLI.isAvailable, "SKIPPED: openssl is not on PATH"),
        arguments: OurSignature.cases)
    func opensslVerifiesOurSignature(signature: OurSignature) throws {
        let key = try PrivateKey.generate(signature.algorithm)
        var envelope = DSSEEnvelope(
            payloadType: DSSEEnvelope.inTotoPayloadType, payload: try OpenSSLFixtures.read("payload.json"))
        try envelope.addSignature(by: key, scheme: signature.scheme)
        let pae = envelope.preAuthenticationEncoding
        let sig = try #require(envelope.signatures.first).signature

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("model-audit-openssl-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pub = directory.appendingPathComponent("key.pub")
        let paeFile = directory.appendingPathComponent("pae.bin")
        let tamperedFile = directory.appendingPathComponent("tampered.bin")
        let sigFile = directory.appendingPathComponent("sig.bin")
        try Data(try key.publicKey.pem.utf8).write(to: pub)
        try Data(pae).write(to: paeFile)
        var tampered = pae
        tampered[tampered.count - 1] ^= 0x01
        try Data(tampered).write(to: tamperedFile)
        try Data(sig).write(to: sigFile)

        let good = try OpenSSLCLI.run(
            signature.verifyArguments(publicKey: pub.path, message: paeFile.path, signature: sigFile.path))
        #expect(good.status == 0, "\(signature): openssl did not verify our signature: \(good.output)")
        #expect(good.output.contains(signature.successText), "\(signature): \(good.output)")

        let bad = try OpenSSLCLI.run(
            signature.verifyArguments(publicKey: pub.path, message: tamperedFile.path, signature: sigFile.path))
        #expect(bad.status != 0, "\(signature): openssl verified a tampered PAE: \(bad.output)")
    }
}

/// One key type and scheme our code signs with, and how the `openssl` CLI checks it.
struct OurSignature: Sendable, CustomTestStringConvertible {
    let algorithm: KeyGenerationAlgorithm
    let scheme: SignatureScheme

    static let cases: [OurSignature] = [
        OurSignature(algorithm: .ed25519, scheme: .ed25519),
        OurSignature(algorithm: .ecdsaP256, scheme: .ecdsaP256SHA256),
        OurSignature(algorithm: .ecdsaP384, scheme: .ecdsaP384SHA384),
        OurSignature(algorithm: .ecdsaP521, scheme: .ecdsaP521SHA512),
        OurSignature(algorithm: .rsa3072, scheme: .rsaPSSSHA256),
        OurSignature(algorithm: .rsa3072, scheme: .rsaPKCS1v15SHA256),
    ]

    var testDescription: String { "\(algorithm.rawValue) / \(scheme.rawValue)" }

    var successText: String { scheme == .ed25519 ? "Signature Verified Successfully" : "Verified OK" }

    func verifyArguments(publicKey: String, message: String, signature: String) -> [String] {
        switch scheme {
        case .ed25519:
            return [
                "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", publicKey, "-in", message, "-sigfile", signature,
            ]
        case .ecdsaP256SHA256, .rsaPKCS1v15SHA256:
            return ["dgst", "-sha256", "-verify", publicKey, "-signature", signature, message]
        case .ecdsaP384SHA384:
            return ["dgst", "-sha384", "-verify", publicKey, "-signature", signature, message]
        case .ecdsaP521SHA512:
            return ["dgst", "-sha512", "-verify", publicKey, "-signature", signature, message]
        case .rsaPSSSHA256:
            // An explicit salt length makes OpenSSL require exactly 32 bytes of salt, not just any.
            return [
                "dgst", "-sha256", "-verify", publicKey, "-sigopt", "rsa_padding_mode:pss",
                "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256", "-signature", signature, message,
            ]
        }
    }
}

/// The committed fixtures in `<root>/Tests/Fixtures/openssl`.
enum OpenSSLFixtures {
    /// This file is `<root>/Tests/ModelAuditTests/OpenSSLFixtureTests.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openssl", isDirectory: true)

    static func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// The `openssl` command-line tool, found on `PATH`.
enum OpenSSLCLI {
    static var isAvailable: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/openssl")
        }
    }

    /// Runs `openssl` with `arguments`; stdout and stderr share one pipe (the output is a line or two).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
