import Foundation
import Testing

@testable import AuditCrypto

@Suite("Keys and signatures")
struct KeyTests {
    @Test("every generated key signs and verifies, and a flipped byte fails", arguments: KeyGenerationAlgorithm.allCases)
    func roundTrip(algorithm: KeyGenerationAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let message = Array("provenance".utf8)
        for scheme in key.type.compatibleSchemes {
            let signature = try key.signature(for: message, scheme: scheme)
            #expect(try key.publicKey.isValidSignature(signature, for: message, scheme: scheme))
            var tampered = message
            tampered[0] ^= 0x01
            #expect(try !key.publicKey.isValidSignature(signature, for: tampered, scheme: scheme))
        }
    }

    @Test("an empty message signs and verifies")
    func emptyMessage() throws {
        let key = try PrivateKey.generate(.ed25519)
        let signature = try key.signature(for: [])
        #expect(try key.publicKey.isValidSignature(signature, for: [], scheme: .ed25519))
    }

    @Test("the key id is sha256 over the DER SubjectPublicKeyInfo")
    func keyID() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let expected = "sha256:" + (try Digests.sha256Hex(key.publicKey.subjectPublicKeyInfo))
        #expect(key.publicKey.keyID == expected)
        let reloaded = try PublicKey(pem: try key.publicKey.pem)
        #expect(reloaded.keyID == key.publicKey.keyID)
        #expect(reloaded.type == .ecdsaP256)
    }

    @Test("PKCS#8 round trip, plain and encrypted")
    func pkcs8() throws {
        let key = try PrivateKey.generate(.ecdsaP384)
        let plain = try key.pkcs8PEM()
        #expect(String(decoding: plain, as: UTF8.self).contains("BEGIN PRIVATE KEY"))
        #expect(try PrivateKey(pem: plain).publicKey == key.publicKey)

        let secret = Array("correct horse".utf8)
        let encrypted = try key.pkcs8PEM(passphrase: secret)
        #expect(String(decoding: encrypted, as: UTF8.self).contains("BEGIN ENCRYPTED PRIVATE KEY"))
        #expect(try PrivateKey(pem: encrypted, passphrase: secret).publicKey == key.publicKey)
        #expect(throws: CryptoError.self) { try PrivateKey(pem: encrypted) }
        do {
            _ = try PrivateKey(pem: encrypted, passphrase: Array("wrong".utf8))
            Issue.record("a wrong passphrase was accepted")
        } catch let error as CryptoError {
            #expect(error.kind == .wrongPassphrase)
        }
    }

    @Test("a scheme that does not fit the key is an error, not a pass")
    func schemeMismatch() throws {
        let ed = try PrivateKey.generate(.ed25519)
        let signature = try ed.signature(for: [1, 2, 3])
        let ec = try PrivateKey.generate(.ecdsaP256)
        #expect(throws: CryptoError.self) {
            try ec.publicKey.isValidSignature(signature, for: [1, 2, 3], scheme: .ed25519)
        }
        // Checked under the EC key's own scheme, the Ed25519 signature simply does not verify.
        #expect(try !ec.publicKey.isValidSignature(signature, for: [1, 2, 3], scheme: .ecdsaP256SHA256))
    }

    @Test("malformed PEM is rejected with a clear error")
    func malformedPEM() {
        #expect(throws: CryptoError.self) { try PublicKey(pem: "not a key") }
        #expect(throws: CryptoError.self) {
            try PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        }
        #expect(throws: CryptoError.self) { try PrivateKey(pem: Array("-----BEGIN PRIVATE KEY-----\n".utf8)) }
    }

    @Test("a PEM file with two keys is refused, not trusted on its first key")
    func twoKeysInOneFile() throws {
        let first = try PrivateKey.generate(.ed25519).publicKey.pem
        let second = try PrivateKey.generate(.ed25519).publicKey.pem
        #expect(throws: CryptoError.self) { try PublicKey(pem: first + second) }
    }

    @Test("streaming digests match one-shot digests and known answers")
    func digests() throws {
        #expect(
            try Digests.sha256Hex(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let streaming = try StreamingDigest(.sha512)
        try streaming.update(Array("a".utf8))
        try streaming.update(Array("bc".utf8))
        #expect(try streaming.finalize() == (try Digests.hash(Array("abc".utf8), algorithm: .sha512)))
        #expect(
            Hex.encode(try Digests.hash(Array("abc".utf8), algorithm: .sha384)).hasPrefix("cb00753f45a35e8b"))
    }
}
