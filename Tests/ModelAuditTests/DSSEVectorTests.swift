import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// The DSSE specification's own test vector (secure-systems-lab/dsse `protocol.md`), and PAE edge cases.
@Suite("DSSE specification vector")
struct DSSEVectorTests {
    static let time = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    @Test(
        "PAE of the specification's HelloWorld payload matches spec-pae.bin byte for byte")
    func specPAE() throws {
        let expected = try DSSEVectors.read("spec-pae.bin")
        let pae = DSSEEnvelope.preAuthenticationEncoding(
            payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(pae == expected, "PAE was \(String(decoding: pae, as: UTF8.self).debugDescription)")
    }

    @Test(
        "the specification envelope verifies, with a raw r‖s and with a DER signature",
        arguments: ["spec-envelope-raw.json", "spec-envelope-der.json"])
    func specEnvelopeVerifies(file: String) throws {
        let envelope = try DSSEEnvelope.decode(try DSSEVectors.read(file))
        let specPAE = try DSSEVectors.read("spec-pae.bin")
        let specKeyID = try DSSEVectors.specKey().keyID
        #expect(envelope.payloadType == "http://example.com/HelloWorld")
        #expect(envelope.payload == Array("hello world".utf8))
        #expect(envelope.preAuthenticationEncoding == specPAE)
        try #require(envelope.signatures.count == 1)
        #expect(envelope.signatures[0].keyID == nil, "the specification's envelope carries no keyid")

        let verifier = EnvelopeVerifier(trustStore: try DSSEVectors.trustStore(), time: Self.time)
        let result = verifier.verify(envelope)
        #expect(result.isVerified, "\(file): \(result.summary); \(result.signatures.map(\.explanation))")
        #expect(result.verifiedKeyIDs == [specKeyID])
    }

    @Test(
        "one changed payload byte, a changed payloadType or a changed signature byte fails",
        arguments: ["spec-envelope-raw.json", "spec-envelope-der.json"])
    func tamperedSpecEnvelopeFails(file: String) throws {
        let original = try DSSEEnvelope.decode(try DSSEVectors.read(file))
        let verifier = EnvelopeVerifier(trustStore: try DSSEVectors.trustStore(), time: Self.time)
        try #require(verifier.verify(original).isVerified)

        var payload = original
        payload.payload[0] ^= 0x01  // "hello world" → "iello world"
        #expect(!verifier.verify(payload).isVerified, "\(file): a changed payload byte still verified")

        var type = original
        type.payloadType = "http://example.com/HelloWorle"
        #expect(!verifier.verify(type).isVerified, "\(file): a changed payloadType still verified")

        var signature = original
        let last = try #require(signature.signatures[0].signature.indices.last)
        signature.signatures[0].signature[last] ^= 0x01
        let result = verifier.verify(signature)
        #expect(!result.isVerified, "\(file): a changed last signature byte still verified")
        #expect(result.signatures.first.map { $0.isVerified } == false)
    }

    @Test(
        "a wrong keyid hint does not stop the specification envelope from verifying")
    func wrongKeyIDHint() throws {
        var envelope = try DSSEEnvelope.decode(try DSSEVectors.read("spec-envelope-raw.json"))
        envelope.signatures[0].keyID = "sha256:" + String(repeating: "0", count: 64)
        let specKeyID = try DSSEVectors.specKey().keyID
        let result = EnvelopeVerifier(trustStore: try DSSEVectors.trustStore(), time: Self.time).verify(envelope)
        #expect(result.isVerified, "\(result.summary)")
        #expect(result.signatures.first?.keyID == specKeyID)
        #expect(result.signatures.first?.keyIDHint == envelope.signatures[0].keyID)
    }

    @Test("PAE of an empty type and payload is \"DSSEv1 0  0 \"")
    func emptyPAE() {
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: "", payload: [])
        #expect(pae == Array("DSSEv1 0  0 ".utf8))
    }

    @Test("PAE lengths count UTF-8 bytes, not characters")
    func multibytePAE() {
        // "é" is 2 bytes, "型" 3 bytes, "🧪" 4 bytes: 9 bytes and 3 characters in all.
        let type = "é型🧪"
        #expect(type.count == 3)
        let payload = Array("ü".utf8) + [0x00, 0xff]
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: type, payload: payload)
        #expect(pae == Array("DSSEv1 9 é型🧪 4 ".utf8) + Array("ü".utf8) + [0x00, 0xff])
    }

    @Test("PAE of a payload that itself looks like a PAE is unambiguous")
    func nestedPAE() {
        let inner = DSSEEnvelope.preAuthenticationEncoding(payloadType: "a", payload: Array("b".utf8))
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: "t", payload: inner)
        #expect(pae == Array("DSSEv1 1 t 14 DSSEv1 1 a 1 b".utf8))
    }
}

/// The DSSE specification files in `<root>/Tests/Vectors/dsse`.
enum DSSEVectors {
    /// This file is `<root>/Tests/ModelAuditTests/DSSEVectorTests.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/dsse", isDirectory: true)


    static func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func specKey() throws -> PublicKey {
        try PublicKey(pem: try read("spec-key.pub"))
    }

    /// An in-memory trust store holding only the specification's key.
    static func trustStore() throws -> TrustStore {
        let key = TrustedKey(
            publicKey: try specKey(), file: "spec-key.pub", owner: "DSSE specification", roles: [.developer],
            scheme: .ecdsaP256SHA256)
        return TrustStore(directory: directory.path, keys: [key])
    }
}
