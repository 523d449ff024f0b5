import AuditCrypto
import Foundation

/// A transparency log checkpoint in the transparency-dev signed-note form: the log's origin line, tree size and
/// base64 root hash, signed by the log.
///
/// ```
/// rekor.sigstore.dev - 2605736670972794746
/// 75441653
/// uAqI3id6JHPMMNUltHIKHuX1kVHpm5y7jSfnbaRO+E4=
/// <optional extension lines>
///
/// — rekor.sigstore.dev wNI9ajBGAiEA…
/// ```
/// Each signature line is an em dash, the signer's name and base64 of a 4-byte key hint followed by the signature
/// over every byte of the note up to and including the newline before the blank line.
public struct Checkpoint: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public let name: String
        public let keyHint: [UInt8]
        public let signature: [UInt8]
    }

    public let origin: String
    public let treeSize: UInt64
    public let rootHash: [UInt8]
    public let extensionLines: [String]
    /// The signed bytes: the note body with its final newline.
    public let note: [UInt8]
    public let signatures: [Signature]

    public init(parsing text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.count <= 64 * 1024 else { throw SigstoreError.malformed("checkpoint larger than 64 KiB") }
        guard let blank = text.range(of: "\n\n") else {
            throw SigstoreError.malformed("checkpoint has no blank line between the note and its signatures")
        }
        let body = String(text[..<blank.lowerBound])
        let signatureBlock = String(text[blank.upperBound...])
        self.note = Array((body + "\n").utf8)
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else {
            throw SigstoreError.malformed("checkpoint note needs an origin, a tree size and a root hash")
        }
        guard !lines[0].isEmpty else { throw SigstoreError.malformed("checkpoint origin is empty") }
        guard lines[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), lines[1].count <= 20,
            lines[1] == "0" || !lines[1].hasPrefix("0"), let size = UInt64(lines[1])
        else {
            throw SigstoreError.malformed("checkpoint tree size \"\(lines[1].prefix(40))\" is not a decimal number")
        }
        guard let root = Base64.decode(lines[2]), !lines[2].contains("-"), !lines[2].contains("_") else {
            throw SigstoreError.malformed("checkpoint root hash is not valid base64")
        }
        guard root.count == MerkleInclusionProof.hashSize else {
            throw SigstoreError.malformed("checkpoint root hash is \(root.count) bytes, not 32")
        }
        self.origin = lines[0]
        self.treeSize = size
        self.rootHash = root
        self.extensionLines = Array(lines.dropFirst(3))
        self.signatures = try Self.signatures(signatureBlock)
    }

    private static func signatures(_ block: String) throws -> [Signature] {
        guard block.hasSuffix("\n") else {
            throw SigstoreError.malformed("checkpoint signature block does not end with a newline")
        }
        var out: [Signature] = []
        for line in block.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "\u{2014}", !parts[1].isEmpty else {
                throw SigstoreError.malformed(
                    "checkpoint signature line \(out.count + 1) is not \"— <name> <base64 signature>\"")
            }
            guard let raw = Base64.decode(String(parts[2])), raw.count > 4 else {
                throw SigstoreError.malformed("checkpoint signature \(out.count + 1) is not valid base64 of a key hint and a signature")
            }
            out.append(Signature(name: String(parts[1]), keyHint: Array(raw.prefix(4)), signature: Array(raw.dropFirst(4))))
        }
        guard !out.isEmpty else { throw SigstoreError.malformed("checkpoint carries no signature") }
        return out
    }

    /// Checks that `log` signed this checkpoint: some signature line whose key hint is the log's (the first four
    /// bytes of its checkpoint key id, or of its log id) verifies over the note with the log's key. Lines of other
    /// signers (witness cosignatures, other keys of the same origin) are ignored, wherever they stand.
    public func verify(with log: TrustedRoot.TransparencyLog) throws {
        let hint = log.checkpointKeyHint
        let candidates = signatures.filter { $0.keyHint == hint }
        guard !candidates.isEmpty else {
            throw SigstoreError.rejected(
                "checkpoint has no signature by log \(log.logIDBase64) (key hint \(Hex.encode(hint)); "
                    + "signers: \(signatures.map { "\($0.name) \(Hex.encode($0.keyHint))" }.joined(separator: ", ")))")
        }
        for candidate in candidates {
            let valid = try log.publicKey.isValidSignature(
                candidate.signature, for: note, scheme: log.scheme, ecdsaEncoding: .der)
            if valid { return }
        }
        throw SigstoreError.rejected("checkpoint signature does not verify with the key of log \(log.logIDBase64)")
    }
}
