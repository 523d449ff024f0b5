import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// Envelope verification against a trust store: thresholds, keyid hints, key status, and the envelope codec.
@Suite("Envelope verifier")
struct EnvelopeVerifierTests {
    /// 2026-01-01T00:00:00Z; every verification here runs at this fixed time.
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    static let payload = Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[]}"#.utf8)

    static func trusted(
        _ key: PrivateKey, owner: String, roles: [TrustRole] = [.developer], notBefore: Date? = nil,
        notAfter: Date? = nil, revoked: Bool = false
    ) -> TrustedKey {
        TrustedKey(
            publicKey: key.publicKey, file: "\(owner).pub", owner: owner, roles: roles, scheme: key.defaultScheme,
            notBefore: notBefore, notAfter: notAfter, revoked: revoked)
    }

    static func verifier(_ keys: [TrustedKey]) -> EnvelopeVerifier {
        EnvelopeVerifier(trustStore: TrustStore(directory: "(in memory)", keys: keys), time: now)
    }

    static func envelope(signedBy keys: [PrivateKey]) throws -> DSSEEnvelope {
        try DSSEEnvelope.sign(
            payload: payload, payloadType: DSSEEnvelope.inTotoPayloadType, keys: keys.map { ($0, nil) })
    }

    // MARK: Thresholds

    @Test("two signatures by one key count once toward a threshold of 2")
    func sameKeyTwice() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let envelope = try Self.envelope(signedBy: [key, key])
        #expect(envelope.signatures[0].signature != envelope.signatures[1].signature, "ECDSA is randomised")
        let result = Self.verifier([Self.trusted(key, owner: "alice")]).verify(envelope, threshold: 2)
        #expect(result.signatures.map(\.isVerified) == [true, true])
        #expect(result.verifiedKeyIDs == [key.publicKey.keyID])
        #expect(!result.isVerified, "\(result.summary)")
    }

    @Test("three signatures by two keys, one of them twice apart: each key counted once, ids sorted")
    func keyRepeatedApart() throws {
        let alice = try PrivateKey.generate(.ecdsaP256)
        let bob = try PrivateKey.generate(.ed25519)
        let envelope = try Self.envelope(signedBy: [alice, bob, alice])
        let verifier = Self.verifier([Self.trusted(alice, owner: "alice"), Self.trusted(bob, owner: "bob")])
        let result = verifier.verify(envelope, threshold: 2)
        #expect(result.verifiedKeyIDs == [alice.publicKey.keyID, bob.publicKey.keyID].sorted())
        #expect(result.isVerified, "\(result.summary)")
        #expect(!verifier.verify(envelope, threshold: 3).isVerified)
    }

    @Test("two different trusted keys meet a threshold of 2")
    func twoKeys() throws {
        let alice = try PrivateKey.generate(.ed25519)
        let bob = try PrivateKey.generate(.ecdsaP384)
        let envelope = try Self.envelope(signedBy: [alice, bob])
        let verifier = Self.verifier([Self.trusted(alice, owner: "alice"), Self.trusted(bob, owner: "bob")])
        let result = verifier.verify(envelope, threshold: 2)
        #expect(result.isVerified, "\(result.summary)")
        #expect(result.verifiedKeyIDs == [alice.publicKey.keyID, bob.publicKey.keyID].sorted())
        #expect(!verifier.verify(envelope, threshold: 3).isVerified)
    }

    // MARK: keyid hints

    @Test("a signature without a keyid verifies")
    func missingKeyID() throws {
        let key = try PrivateKey.generate(.ed25519)
        var envelope = try Self.envelope(signedBy: [key])
        envelope.signatures[0].keyID = nil
        let result = Self.verifier([Self.trusted(key, owner: "alice")]).verify(envelope)
        #expect(result.isVerified, "\(result.summary)")
        #expect(result.signatures.first?.keyID == key.publicKey.keyID)
    }

    @Test("a keyid naming another trusted key still verifies, and the result names the key that signed")
    func wrongKeyID() throws {
        let alice = try PrivateKey.generate(.ecdsaP256)
        let bob = try PrivateKey.generate(.ecdsaP256)
        var envelope = try Self.envelope(signedBy: [alice])
        envelope.signatures[0].keyID = bob.publicKey.keyID
        let result = Self.verifier([Self.trusted(alice, owner: "alice"), Self.trusted(bob, owner: "bob")])
            .verify(envelope)
        #expect(result.isVerified, "\(result.summary)")
        let check = try #require(result.signatures.first)
        #expect(check.keyID == alice.publicKey.keyID)
        #expect(check.owner == "alice")
        #expect(check.keyIDHint == bob.publicKey.keyID)
    }

    @Test("an invalid signature whose keyid names a trusted key does not verify")
    func invalidSignatureWithTrustedKeyID() throws {
        let key = try PrivateKey.generate(.ed25519)
        var envelope = try Self.envelope(signedBy: [key])
        envelope.signatures[0].signature[0] ^= 0x01
        #expect(envelope.signatures[0].keyID == key.publicKey.keyID)
        let result = Self.verifier([Self.trusted(key, owner: "alice")]).verify(envelope)
        #expect(!result.isVerified)
        let check = try #require(result.signatures.first)
        #expect(check.keyID == nil)
        guard case .rejected = check.outcome else {
            Issue.record("expected a rejection, got \(check.outcome)")
            return
        }
    }

    @Test("a signature by a key outside the trust store is rejected")
    func unknownKey() throws {
        let trusted = try PrivateKey.generate(.ed25519)
        let stranger = try PrivateKey.generate(.ed25519)
        let envelope = try Self.envelope(signedBy: [stranger])
        let result = Self.verifier([Self.trusted(trusted, owner: "alice")]).verify(envelope)
        #expect(!result.isVerified)
        let check = try #require(result.signatures.first)
        #expect(check.keyID == nil)
        guard case .rejected = check.outcome else {
            Issue.record("expected a rejection, got \(check.outcome)")
            return
        }
    }

    @Test("an envelope without signatures is not verified")
    func noSignatures() {
        let envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: Self.payload)
        let result = Self.verifier([]).verify(envelope)
        #expect(!result.isVerified)
        #expect(result.signatures.isEmpty)
        #expect(result.summary.contains("no signatures"), "\(result.summary)")
    }

    // MARK: Key status

    @Test("a revoked key's valid signature is named but verifies nothing")
    func revokedKey() throws {
        let key = try PrivateKey.generate(.ed25519)
        let envelope = try Self.envelope(signedBy: [key])
        let result = Self.verifier([Self.trusted(key, owner: "alice", revoked: true)]).verify(envelope)
        #expect(!result.isVerified)
        #expect(result.verifiedKeyIDs.isEmpty)
        #expect(result.signatures.first?.outcome == .keyNotValid(.revoked))
        #expect(result.signatures.first?.keyID == key.publicKey.keyID)
    }

    @Test("an expired key's valid signature verifies nothing")
    func expiredKey() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let notAfter = Self.now.addingTimeInterval(-1)
        let envelope = try Self.envelope(signedBy: [key])
        let result = Self.verifier([Self.trusted(key, owner: "alice", notAfter: notAfter)]).verify(envelope)
        #expect(!result.isVerified)
        #expect(result.signatures.first?.outcome == .keyNotValid(.expired(notAfter)))
        // The window is inclusive: at exactly notAfter the key is still valid.
        let atEnd = Self.verifier([Self.trusted(key, owner: "alice", notAfter: Self.now)]).verify(envelope)
        #expect(atEnd.isVerified, "\(atEnd.summary)")
    }

    @Test("a not-yet-valid key's valid signature verifies nothing")
    func notYetValidKey() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let notBefore = Self.now.addingTimeInterval(1)
        let envelope = try Self.envelope(signedBy: [key])
        let result = Self.verifier([Self.trusted(key, owner: "alice", notBefore: notBefore)]).verify(envelope)
        #expect(!result.isVerified)
        #expect(result.signatures.first?.outcome == .keyNotValid(.notYetValid(notBefore)))
        let inWindow = Self.verifier([
            Self.trusted(
                key, owner: "alice", notBefore: Self.now.addingTimeInterval(-60),
                notAfter: Self.now.addingTimeInterval(60))
        ]).verify(envelope)
        #expect(inWindow.isVerified, "\(inWindow.summary)")
    }

    // MARK: The envelope itself

    @Test("addSignature keeps the payload and the existing signatures byte-identical")
    func addSignatureKeepsExisting() throws {
        let first = try PrivateKey.generate(.ecdsaP256)
        let second = try PrivateKey.generate(.ed25519)
        var envelope = try Self.envelope(signedBy: [first])
        let before = envelope
        let encodedBefore = try DSSEEnvelope.decode(try envelope.encoded())
        try envelope.addSignature(by: second)
        #expect(envelope.payload == before.payload)
        #expect(envelope.payloadType == before.payloadType)
        #expect(envelope.signatures.count == 2)
        #expect(envelope.signatures.first == before.signatures.first)
        let encodedAfter = try DSSEEnvelope.decode(try envelope.encoded())
        #expect(encodedAfter.payload == encodedBefore.payload)
        #expect(encodedAfter.signatures.first == encodedBefore.signatures.first)
        let verifier = Self.verifier([Self.trusted(first, owner: "alice"), Self.trusted(second, owner: "bob")])
        #expect(verifier.verify(envelope, threshold: 2).isVerified)
    }

    @Test("encode then decode gives back the same envelope")
    func roundTrip() throws {
        let key = try PrivateKey.generate(.ecdsaP384)
        var envelope = try Self.envelope(signedBy: [key])
        envelope.signatures.append(DSSESignature(keyID: nil, signature: [0x00, 0xfb, 0xff, 0xbf]))
        let encoded = try envelope.encoded()
        #expect(encoded.last == UInt8(ascii: "\n"))
        #expect(try DSSEEnvelope.decode(encoded) == envelope)
        #expect(try DSSEEnvelope.decode(encoded).encoded() == encoded, "encoding is deterministic")
    }

    @Test("decode accepts URL-safe unpadded base64 in payload and sig")
    func urlSafeBase64() throws {
        let key = try PrivateKey.generate(.ed25519)
        // 0xfb 0xff 0xbf encodes to "+/+/" in standard base64, "-_-_" URL-safe: both alphabets' extra characters.
        let payload: [UInt8] = [0xfb, 0xff, 0xbf, 0x7b, 0x7d]
        var envelope = DSSEEnvelope(payloadType: "application/octet-stream", payload: payload)
        try envelope.addSignature(by: key)
        func urlSafe(_ bytes: [UInt8]) -> String {
            Base64.encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let payloadText = urlSafe(payload)
        #expect(payloadText.hasPrefix("-_-_"))
        let json = """
            {"payloadType":"application/octet-stream","payload":"\(payloadText)",\
            "signatures":[{"sig":"\(urlSafe(envelope.signatures[0].signature))"}]}
            """
        let decoded = try DSSEEnvelope.decode(Array(json.utf8))
        #expect(decoded.payload == payload)
        #expect(decoded.signatures.first?.signature == envelope.signatures[0].signature)
        #expect(Self.verifier([Self.trusted(key, owner: "alice")]).verify(decoded).isVerified)
    }

    @Test(
        "decode rejects bad base64 and names where it is",
        arguments: [
            (#"{"payloadType":"t","payload":"aGVsbG8*","signatures":[{"sig":"AAAA"}]}"#, "/payload"),
            (#"{"payloadType":"t","payload":"aGVsbG8","signatures":[{"sig":"AA AA"}]}"#, "/signatures/0/sig"),
            (#"{"payloadType":"t","payload":"aGVsbG8","signatures":[{"sig":"AAAA"},{"sig":"A"}]}"#,
             "/signatures/1/sig"),
            (#"{"payloadType":"t","payload":"aGV+bG_","signatures":[]}"#, "/payload"),
        ])
    func badBase64(json: String, pointer: String) {
        do {
            _ = try DSSEEnvelope.decode(Array(json.utf8))
            Issue.record("accepted \(json)")
        } catch let error as EnvelopeError {
            #expect(error.pointer == pointer, "\(error)")
        } catch {
            Issue.record("expected an EnvelopeError at \(pointer), got \(type(of: error)): \(error)")
        }
    }

    @Test(
        "decode rejects unknown members and a duplicate payload",
        arguments: [
            (#"{"payloadType":"t","payload":"aGVsbG8","signatures":[],"extra":1}"#, "/extra"),
            (#"{"payloadType":"t","payload":"aGVsbG8","signatures":[{"sig":"AAAA","cert":"x"}]}"#,
             "/signatures/0/cert"),
            (#"{"payloadType":"t","payload":"aGVsbG8","payload":"d29ybGQ","signatures":[]}"#, #""payload""#),
        ])
    func strictMembers(json: String, named: String) {
        do {
            _ = try DSSEEnvelope.decode(Array(json.utf8))
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".contains(named), "the error does not name \(named): \(error)")
        }
    }

    @Test("a well-formed minimal envelope decodes, so the rejections above are about the one defect")
    func minimalEnvelopeDecodes() throws {
        let json = #"{"payloadType":"t","payload":"aGVsbG8","signatures":[{"keyid":"k","sig":"AAAA"}]}"#
        let envelope = try DSSEEnvelope.decode(Array(json.utf8))
        #expect(envelope.payload == Array("hello".utf8))
        #expect(envelope.signatures == [DSSESignature(keyID: "k", signature: [0, 0, 0])])
    }
}
