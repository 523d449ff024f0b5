import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

@Suite("Sigstore trusted root")
struct TrustedRootTests {
    @Test("the public-good trusted root reads: Rekor and CT logs with ids and windows, Fulcio CAs, a TSA")
    func publicGood() throws {
        let root = try TrustedRoot.parse(try SigstoreVector.bytes(SigstoreVector.publicGood))
        #expect(root.transparencyLogs.map(\.baseURL) == ["https://rekor.sigstore.dev", "https://log2025-1.rekor.sigstore.dev"])
        #expect(root.transparencyLogs.map(\.scheme) == [.ecdsaP256SHA256, .ed25519])
        #expect(root.transparencyLogs[0].logIDBase64 == "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=")
        // For the ECDSA Rekor key the log id is the SHA-256 of its SubjectPublicKeyInfo.
        #expect(try Digests.hash(root.transparencyLogs[0].publicKey.subjectPublicKeyInfo) == root.transparencyLogs[0].logID)
        #expect(root.certificateAuthorities.count == 2)
        #expect(root.certificateAuthorities[0].validity.end == RFC3339.parse("2022-12-31T23:59:59.999Z"))
        #expect(root.certificateAuthorities[1].chain.count == 2)
        #expect(root.certificateAuthorities[1].root?.subject == "CN=sigstore,O=sigstore.dev")
        #expect(root.ctLogs.count == 2)
        #expect(root.timestampAuthorities.count == 1)
    }

    @Test("the staging root reads, including its PKCS#1 RSA CT log key")
    func staging() throws {
        let root = try TrustedRoot.parse(try SigstoreVector.bytes(SigstoreVector.staging))
        #expect(root.ctLogs.contains { $0.keyDetails == "PKCS1_RSA_PKCS1V5" && $0.publicKey.type == .rsa(bits: 4096) })
    }

    private func problems(_ transform: (String) -> String) throws -> [String] {
        let text = transform(try SigstoreVector.text(SigstoreVector.publicGood))
        do {
            _ = try TrustedRoot.parse(Array(text.utf8))
            Issue.record("the altered trusted root was accepted")
            return []
        } catch let error as InvalidDocumentError {
            return error.problems.map(\.description)
        }
    }

    @Test("unsupported key types, bad base64, unknown members and wrong sizes are errors at their pointer")
    func badInput() throws {
        let unsupported = try problems {
            replacingFirst("\"keyDetails\": \"PKIX_ED25519\"", with: "\"keyDetails\": \"LMS_SHA256\"", in: $0)
        }
        #expect(unsupported.count == 1)
        #expect(unsupported.first?.hasPrefix("/tlogs/1/publicKey/keyDetails: unsupported key type \"LMS_SHA256\"") == true)

        let mismatched = try problems {
            replacingFirst("\"keyDetails\": \"PKIX_ED25519\"", with: "\"keyDetails\": \"PKIX_ECDSA_P256_SHA_256\"", in: $0)
        }
        #expect(mismatched == ["/tlogs/1/publicKey/rawBytes: a Ed25519 key does not match keyDetails \"PKIX_ECDSA_P256_SHA_256\""])

        let badBase64 = try problems {
            replacingFirst("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", with: "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0*", in: $0)
        }
        #expect(badBase64 == ["/tlogs/0/logId/keyId: not valid base64"])

        let shortID = try problems {
            replacingFirst("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", with: "wNI9atQG", in: $0)
        }
        #expect(shortID == ["/tlogs/0/logId/keyId: a log id is 32 bytes, found 6"])

        let unknown = try problems { replacingFirst("\"baseUrl\"", with: "\"extra\": 1, \"baseUrl\"", in: $0) }
        #expect(unknown == ["/tlogs/0/extra: unknown member \"extra\""])

        let media = try problems { replacingFirst("trustedroot+json;version=0.1", with: "trustedroot+json;version=9", in: $0) }
        #expect(media.first?.hasPrefix("/mediaType: unsupported media type") == true)

        let badCertificate = try problems { replacingFirst("\"rawBytes\": \"MIIB+DCC", with: "\"rawBytes\": \"MIIB+DCD", in: $0) }
        #expect(badCertificate.first?.hasPrefix("/certificateAuthorities/0/certChain/certificates/0/rawBytes: not a usable certificate") == true)

        #expect(throws: JSONParseError.self) { _ = try TrustedRoot.parse(Array("{\"mediaType\":".utf8)) }
    }
}

@Suite("Merkle inclusion proofs")
struct MerkleInclusionProofTests {
    /// RFC 6962 §2.1 Merkle tree hash, computed the slow, obvious way.
    static func treeHash(_ leaves: ArraySlice<[UInt8]>) throws -> [UInt8] {
        if leaves.count == 1 { return try MerkleInclusionProof.leafHash(leaves[leaves.startIndex]) }
        let split = largestPowerOfTwo(below: leaves.count)
        let left = try treeHash(leaves.prefix(split))
        let right = try treeHash(leaves.dropFirst(split))
        return try Digests.hash([0x01] + left + right)
    }

    /// RFC 6962 §2.1.1 audit path.
    static func path(_ index: Int, _ leaves: ArraySlice<[UInt8]>) throws -> [[UInt8]] {
        if leaves.count <= 1 { return [] }
        let split = largestPowerOfTwo(below: leaves.count)
        if index < split {
            return try path(index, leaves.prefix(split)) + [treeHash(leaves.dropFirst(split))]
        }
        return try path(index - split, leaves.dropFirst(split)) + [treeHash(leaves.prefix(split))]
    }

    static func largestPowerOfTwo(below count: Int) -> Int {
        var power = 1
        while power * 2 < count { power *= 2 }
        return power
    }

    @Test("every leaf of every tree up to 33 leaves verifies, and a changed leaf, hash or index does not")
    func generatedTrees() throws {
        for size in 1...33 {
            let leaves = (0..<size).map { Array("leaf \($0)".utf8) }
            let root = try Self.treeHash(leaves[...])
            for index in 0..<size {
                let hashes = try Self.path(index, leaves[...])
                let proof = try MerkleInclusionProof(
                    leafIndex: UInt64(index), treeSize: UInt64(size), hashes: hashes, rootHash: root)
                try proof.verify(leaf: leaves[index])
                #expect(sigstoreError { try proof.verify(leaf: leaves[index] + [0]) }?.kind == .rejected)
                if !hashes.isEmpty {
                    var altered = hashes
                    altered[0][0] ^= 1
                    let bad = try MerkleInclusionProof(
                        leafIndex: UInt64(index), treeSize: UInt64(size), hashes: altered, rootHash: root)
                    #expect(sigstoreError { try bad.verify(leaf: leaves[index]) }?.message
                        .contains("does not lead to the root hash") == true)
                }
                if size > 1 {
                    let other = (index + 1) % size
                    if let moved = try? MerkleInclusionProof(
                        leafIndex: UInt64(other), treeSize: UInt64(size), hashes: hashes, rootHash: root)
                    {
                        #expect(sigstoreError { try moved.verify(leaf: leaves[index]) } != nil)
                    }
                }
            }
        }
    }

    @Test("tree size 0, index ≥ size, hashes of the wrong size or number are malformed proofs")
    func malformed() {
        let hash = [UInt8](repeating: 7, count: 32)
        func message(_ index: UInt64, _ size: UInt64, _ hashes: [[UInt8]], _ root: [UInt8] = hash) -> String? {
            sigstoreError {
                _ = try MerkleInclusionProof(leafIndex: index, treeSize: size, hashes: hashes, rootHash: root)
            }?.message
        }
        #expect(message(0, 0, []) == "inclusion proof for a tree of size 0")
        #expect(message(5, 5, [hash]) == "inclusion proof leaf index 5 is not below the tree size 5")
        #expect(message(0, 2, [Array(hash.prefix(31))]) == "inclusion proof hash 0 is 31 bytes, not 32")
        #expect(message(0, 2, [hash], [1, 2]) == "inclusion proof root hash is 2 bytes, not 32")
        #expect(message(0, 4, [hash]) == "inclusion proof for leaf 0 of 4 needs 2 hashes, found 1")
        #expect(message(0, 1, [hash]) == "inclusion proof for leaf 0 of 1 needs 0 hashes, found 1")
    }
}

@Suite("Signed-note checkpoints")
struct CheckpointTests {
    @Test("malformed notes are refused with the reason")
    func malformed() {
        let root = "uAqI3id6JHPMMNUltHIKHuX1kVHpm5y7jSfnbaRO+E4="
        func message(_ text: String) -> String? { sigstoreError { _ = try Checkpoint(parsing: text) }?.message }
        #expect(message("origin\n1\n\(root)\n— a AAAAAAA=\n") == "checkpoint has no blank line between the note and its signatures")
        #expect(message("origin\n1\n\n— a AAAAAAAA\n")?.contains("needs an origin, a tree size and a root hash") == true)
        #expect(message("origin\n-1\n\(root)\n\n— a AAAAAAAA\n")?.contains("is not a decimal number") == true)
        #expect(message("origin\n1\nAAAA\n\n— a AAAAAAAA\n") == "checkpoint root hash is 3 bytes, not 32")
        #expect(message("origin\n1\n\(root)\n\n— a AAAAAAAA") == "checkpoint signature block does not end with a newline")
        #expect(message("origin\n1\n\(root)\n\n- a AAAAAAAA\n")?.contains("is not \"— <name> <base64 signature>\"") == true)
        #expect(message("origin\n1\n\(root)\n\n— a AAAA\n")?.contains("not valid base64 of a key hint") == true)
        #expect(message("\n1\n\(root)\n\n— a AAAAAAAA\n") == "checkpoint origin is empty")
    }

    @Test("a note signed by the log verifies by its key hint; other signers and other hints do not count",
        arguments: [KeyGenerationAlgorithm.ed25519, .ecdsaP256])
    func signedNote(algorithm: KeyGenerationAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let logID = try Digests.hash(key.publicKey.subjectPublicKeyInfo)
        let scheme = try #require(key.type.impliedScheme)
        let log = TrustedRoot.TransparencyLog(
            baseURL: "https://log.example", logID: logID, publicKey: key.publicKey, keyDetails: "test", scheme: scheme,
            validity: .init(start: nil, end: nil), checkpointKeyID: nil)
        let note = "log.example - 1\n5\n\(Base64.encode([UInt8](repeating: 9, count: 32)))\nTimestamp: 1\n"
        let signature = try key.signature(for: Array(note.utf8), scheme: scheme)
        let stranger = try PrivateKey.generate(.ed25519)
        let strangerLine = "— other.example \(Base64.encode([1, 2, 3, 4] + (try stranger.signature(for: Array(note.utf8)))))\n"
        let goodLine = "— log.example \(Base64.encode(logID.prefix(4) + signature))\n"
        let checkpoint = try Checkpoint(parsing: note + "\n" + strangerLine + goodLine)
        #expect(checkpoint.treeSize == 5)
        #expect(checkpoint.extensionLines == ["Timestamp: 1"])
        try checkpoint.verify(with: log)

        let onlyStranger = try Checkpoint(parsing: note + "\n" + strangerLine)
        #expect(sigstoreError { try onlyStranger.verify(with: log) }?.message.contains("has no signature by log") == true)
        // The right hint with a signature over another note.
        let otherNote = note.replacingOccurrences(of: "\n5\n", with: "\n6\n")
        let replayed = try Checkpoint(parsing: otherNote + "\n" + goodLine)
        #expect(sigstoreError { try replayed.verify(with: log) }?.message.contains("checkpoint signature does not verify")
            == true)
    }
}
