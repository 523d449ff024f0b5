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

    /// A key's checks start from one shared context, copied for each: checks on many threads at once, good and bad
    /// mixed, must each get their own verdict, and a failed check must leave nothing behind for the next.
    @Test("one key checks many signatures on many threads at once, each verdict its own",
        arguments: KeyGenerationAlgorithm.allCases)
    func concurrentChecks(algorithm: KeyGenerationAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let publicKey = key.publicKey
        let scheme = key.type.compatibleSchemes[0]
        let messages = (0..<24).map { Array("model \($0)".utf8) }
        let signatures = try messages.map { try key.signature(for: $0, scheme: scheme) }
        let rounds = 8 * messages.count
        let verdicts = VerdictSlots(count: rounds)
        DispatchQueue.concurrentPerform(iterations: rounds) { round in
            let index = round % messages.count
            // Every third round checks a signature against the wrong message, which must fail.
            let message = round % 3 == 0 ? messages[(index + 1) % messages.count] : messages[index]
            verdicts.set(round, (try? publicKey.isValidSignature(signatures[index], for: message, scheme: scheme)))
        }
        for round in 0..<rounds {
            #expect(verdicts.value(round) == (round % 3 != 0), "round \(round)")
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

/// EC public keys whose point is compressed, from `Tests/Fixtures/ec-compressed` (made by the `openssl` CLI).
@Suite("Compressed EC points")
struct CompressedPointTests {
    /// `<root>/Tests/Fixtures/ec-compressed`, where this file is `<root>/Tests/AuditCryptoTests/KeyTests.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ec-compressed", isDirectory: true)

    static func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    @Test("the SubjectPublicKeyInfo assembled from the raw key is the one OpenSSL's encoder writes, for every key type")
    func assembledSubjectPublicKeyInfo() throws {
        var keys: [PublicKey] = []
        for algorithm in KeyGenerationAlgorithm.allCases {
            let generated = try PrivateKey.generate(algorithm).publicKey
            keys += [
                generated, try PublicKey(pem: try generated.pem),
                try PublicKey(subjectPublicKeyInfo: generated.subjectPublicKeyInfo),
            ]
        }
        for curve in ["p256", "p384", "p521"] {
            keys.append(try PublicKey(pem: try Self.read("\(curve)-compressed.pub")))
            keys.append(try PublicKey(pem: try Self.read("\(curve)-uncompressed.pub")))
        }
        for key in keys {
            #expect(key.subjectPublicKeyInfo == (try OpenSSLSupport.subjectPublicKeyInfo(key.pkey)), "\(key.type)")
        }
        // A PEM body that is not base64, or a block without its END line, is refused.
        #expect(throws: CryptoError.self) {
            try PublicKey(pem: "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n")
        }
        #expect(throws: CryptoError.self) { try PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n") }
    }

    @Test(
        "a compressed PEM public key loads, verifies, and has the id of its uncompressed form",
        arguments: [
            ("p256", KeyType.ecdsaP256, SignatureScheme.ecdsaP256SHA256),
            ("p384", KeyType.ecdsaP384, SignatureScheme.ecdsaP384SHA384),
            ("p521", KeyType.ecdsaP521, SignatureScheme.ecdsaP521SHA512),
        ])
    func compressedKeyVerifies(curve: String, type: KeyType, scheme: SignatureScheme) throws {
        let compressedPEM = try Self.read("\(curve)-compressed.pub")
        // The fixture really is compressed: its point (the SPKI's last BIT STRING) starts with 02 or 03.
        let compressedDER = try #require(pemBody(compressedPEM))
        let pointStart = compressedDER.count - (scheme.ecdsaScalarBytes ?? 0) - 1
        #expect([0x02, 0x03].contains(compressedDER[pointStart]), "\(curve) fixture is not compressed")

        let compressed = try PublicKey(pem: compressedPEM)
        let uncompressed = try PublicKey(pem: try Self.read("\(curve)-uncompressed.pub"))
        #expect(compressed.type == type)
        #expect(compressed.keyID == uncompressed.keyID)
        #expect(compressed == uncompressed)
        #expect(compressed.subjectPublicKeyInfo.count > compressedDER.count, "the SPKI was not re-encoded")

        let message = try Self.read("message.txt")
        let signature = try Self.read("\(curve).sig")
        #expect(try compressed.isValidSignature(signature, for: message, scheme: scheme))
        var tampered = message
        tampered[0] ^= 0x01
        #expect(try !compressed.isValidSignature(signature, for: tampered, scheme: scheme))
        // Loading from DER gives the same key too.
        #expect(try PublicKey(subjectPublicKeyInfo: compressedDER) == uncompressed)
    }

    @Test("a compressed point that is not on the curve is refused")
    func offCurvePoint() throws {
        var der = try #require(pemBody(try Self.read("p256-compressed.pub")))
        // x³ − 3x + b is not a square mod p for x = 1 on P-256: no point has that x, so decompression must fail.
        let xStart = der.count - 32
        for index in xStart..<der.count { der[index] = 0 }
        der[der.count - 1] = 1
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfo: der) }
    }

    /// The DER inside a single-block PEM file.
    private func pemBody(_ pem: [UInt8]) -> [UInt8]? {
        let lines = String(decoding: pem, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("-----") }
        return Data(base64Encoded: lines.joined()).map { Array($0) }
    }
}

/// Keys in a canonical SubjectPublicKeyInfo are built from their raw bytes rather than by `d2i_PUBKEY`; the two
/// paths must give the same key, and the short path must refuse everything `d2i_PUBKEY` refuses.
@Suite("Canonical SubjectPublicKeyInfo read from the raw key")
struct CanonicalSubjectPublicKeyInfoTests {
    static let canonicalTypes: [KeyGenerationAlgorithm] = [.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521]

    @Test("the raw-key path and d2i_PUBKEY give the same type, key id and verdicts", arguments: canonicalTypes)
    func samePathResults(algorithm: KeyGenerationAlgorithm) throws {
        let privateKey = try PrivateKey.generate(algorithm)
        let der = privateKey.publicKey.subjectPublicKeyInfo
        let built = try #require(try OpenSSLSupport.keyFromCanonicalSubjectPublicKeyInfo(der))
        let fast = try PublicKey(owning: built)
        let decoded = try PublicKey(owning: try PublicKey.decodedByOpenSSL(der))
        #expect(fast.type == decoded.type)
        #expect(fast.keyID == decoded.keyID)
        #expect(fast.subjectPublicKeyInfo == der)
        #expect(fast == decoded)
        let message = Array("lineage".utf8)
        for scheme in fast.type.compatibleSchemes {
            let signature = try privateKey.signature(for: message, scheme: scheme)
            #expect(try fast.isValidSignature(signature, for: message, scheme: scheme))
            #expect(try !fast.isValidSignature(signature, for: message + [0], scheme: scheme))
        }
    }

    @Test("an uncompressed point off its curve is refused on the raw-key path, as d2i_PUBKEY refuses it")
    func offCurveUncompressedPoint() throws {
        for algorithm in Self.canonicalTypes {
            var der = try PrivateKey.generate(algorithm).publicKey.subjectPublicKeyInfo
            let type = try PublicKey(subjectPublicKeyInfo: der).type
            guard type != .ed25519 else { continue }
            der[der.count - 1] ^= 0x01  // y no longer matches x
            #expect(throws: CryptoError.self, "\(type)") { try PublicKey(subjectPublicKeyInfo: der) }
            #expect(throws: CryptoError.self, "\(type)") { try PublicKey.decodedByOpenSSL(der) }
        }
    }

    @Test("an encoding that is not exactly canonical takes OpenSSL's path, which decides")
    func nonCanonicalGoesToOpenSSL() throws {
        let der = try PrivateKey.generate(.ed25519).publicKey.subjectPublicKeyInfo
        // One byte short, one byte long, a changed OID: none is read from the raw bytes.
        var otherOID = der
        otherOID[8] ^= 0x01
        for variant in [Array(der.dropLast()), der + [0], otherOID] {
            #expect(try OpenSSLSupport.keyFromCanonicalSubjectPublicKeyInfo(variant) == nil)
            #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfo: variant) }
        }
        // An EC key whose point does not start with 04 in the uncompressed-length slot is not canonical either.
        var ec = try PrivateKey.generate(.ecdsaP256).publicKey.subjectPublicKeyInfo
        ec[ec.count - 65] = 0x05
        #expect(try OpenSSLSupport.keyFromCanonicalSubjectPublicKeyInfo(ec) == nil)
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfo: ec) }
    }
}

/// Verdicts written by concurrent checks, one slot each, read once they are all done.
private final class VerdictSlots: @unchecked Sendable {
    private var slots: [Bool?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ verdict: Bool?) { lock.withLock { slots[index] = verdict } }

    func value(_ index: Int) -> Bool? { lock.withLock { slots[index] } }
}
