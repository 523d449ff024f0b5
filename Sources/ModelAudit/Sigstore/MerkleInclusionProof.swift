import AuditCrypto

/// An RFC 6962 / RFC 9162 inclusion proof: the audit path that links one leaf of a Merkle tree of a given size to
/// the tree's root hash.
public struct MerkleInclusionProof: Sendable, Equatable {
    /// Zero-based position of the leaf in the tree.
    public let leafIndex: UInt64
    public let treeSize: UInt64
    /// Sibling hashes from the leaf upwards.
    public let hashes: [[UInt8]]
    public let rootHash: [UInt8]

    public static let hashSize = 32

    /// Checks the shape of the proof; the hashes themselves are checked by `verify`.
    public init(leafIndex: UInt64, treeSize: UInt64, hashes: [[UInt8]], rootHash: [UInt8]) throws {
        guard treeSize > 0 else { throw SigstoreError.malformed("inclusion proof for a tree of size 0") }
        guard leafIndex < treeSize else {
            throw SigstoreError.malformed("inclusion proof leaf index \(leafIndex) is not below the tree size \(treeSize)")
        }
        guard rootHash.count == Self.hashSize else {
            throw SigstoreError.malformed("inclusion proof root hash is \(rootHash.count) bytes, not \(Self.hashSize)")
        }
        for (position, hash) in hashes.enumerated() where hash.count != Self.hashSize {
            throw SigstoreError.malformed(
                "inclusion proof hash \(position) is \(hash.count) bytes, not \(Self.hashSize)")
        }
        let expected = Self.pathLength(leafIndex: leafIndex, treeSize: treeSize)
        guard hashes.count == expected else {
            throw SigstoreError.malformed(
                "inclusion proof for leaf \(leafIndex) of \(treeSize) needs \(expected) hashes, found \(hashes.count)")
        }
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
        self.rootHash = rootHash
    }

    /// RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf).
    public static func leafHash(_ leaf: [UInt8]) throws -> [UInt8] {
        try Digests.hash([0x00] + leaf)
    }

    static func nodeHash(_ left: [UInt8], _ right: [UInt8]) throws -> [UInt8] {
        try Digests.hash([0x01] + left + right)
    }

    /// The root hash the audit path gives for `leaf` (the entry's bytes, hashed here as a leaf).
    public func computedRoot(leaf: [UInt8]) throws -> [UInt8] {
        // RFC 9162 §2.1.3.2: walk up with the node index and the index of the tree's last node.
        var node = leafIndex
        var last = treeSize - 1
        var hash = try Self.leafHash(leaf)
        for sibling in hashes {
            guard last != 0 else { throw SigstoreError.malformed("inclusion proof has more hashes than levels") }
            if node & 1 == 1 || node == last {
                hash = try Self.nodeHash(sibling, hash)
                if node & 1 == 0 {
                    while node & 1 == 0 && node != 0 {
                        node >>= 1
                        last >>= 1
                    }
                }
            } else {
                hash = try Self.nodeHash(hash, sibling)
            }
            node >>= 1
            last >>= 1
        }
        guard last == 0 else { throw SigstoreError.malformed("inclusion proof has fewer hashes than levels") }
        return hash
    }

    /// Recomputes the root from `leaf` and the audit path; throws `.rejected` when it is not `rootHash`.
    public func verify(leaf: [UInt8]) throws {
        let computed = try computedRoot(leaf: leaf)
        guard computed == rootHash else {
            throw SigstoreError.rejected(
                "inclusion proof does not lead to the root hash: computed \(Hex.encode(computed)), "
                    + "proof says \(Hex.encode(rootHash)) (leaf \(leafIndex) of \(treeSize))")
        }
    }

    /// Hashes an audit path needs: one per level below the leaf's lowest full subtree, plus one per set bit above.
    static func pathLength(leafIndex: UInt64, treeSize: UInt64) -> Int {
        let last = treeSize - 1
        // Levels where the leaf's and the last node's paths differ need a hash each (the "inner" part) …
        let inner = 64 - (leafIndex ^ last).leadingZeroBitCount
        // … and above that, each level where the leaf's subtree is a right child needs one too.
        let border = (leafIndex >> UInt64(inner)).nonzeroBitCount
        return inner + border
    }
}
