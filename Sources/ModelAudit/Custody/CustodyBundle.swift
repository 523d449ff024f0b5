import AuditCrypto
import Foundation

/// The custody records of one model: a JSON-lines file, one compact DSSE envelope per line, oldest first.
///
/// Kept beside the manifest as `<manifest stem>.custody.jsonl` (found automatically) or named with `--custody`.
/// A record's digest is the SHA-256 of its line's bytes (without the newline); the next record names it.
public struct CustodyBundle: Sendable {
    public struct Line: Sendable {
        /// 1-based line number in the bundle.
        public let number: Int
        public let bytes: [UInt8]
        public let sha256: String
    }

    public static let maxBytes = 64 << 20
    public static let maxRecords = 10_000

    public let path: String
    public let lines: [Line]

    /// How the name of a bundle kept beside its manifest ends.
    public static let suffix = ".custody.jsonl"

    /// The bundle conventionally beside a manifest: `model.json` → `model.custody.jsonl`.
    public static func defaultPath(forManifest manifest: String) -> String {
        let stem = manifest.hasSuffix(".json") ? String(manifest.dropLast(5)) : manifest
        return stem + suffix
    }

    public static func load(path: String) throws -> CustodyBundle {
        try parse(try InputFile.read(path, limit: maxBytes), path: path)
    }

    /// Splits bundle contents already in memory into records; `path` names the bundle in messages.
    public static func parse(_ bytes: [UInt8], path: String) throws -> CustodyBundle {
        guard bytes.count <= maxBytes else {
            throw InvalidDocumentError(document: path, problems: [
                ValidationProblem(pointer: "", message: "larger than the \(maxBytes)-byte limit")])
        }
        var lines: [Line] = []
        var number = 0
        for slice in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var line = Array(slice)
            if line.last == 0x0D { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard lines.count < maxRecords else {
                throw InvalidDocumentError(document: path, problems: [
                    ValidationProblem(pointer: "", message: "more than \(maxRecords) records")])
            }
            lines.append(Line(number: number, bytes: line, sha256: try Digests.sha256Hex(line)))
        }
        return CustodyBundle(path: path, lines: lines)
    }

    public init(path: String, lines: [Line]) {
        self.path = path
        self.lines = lines
    }

    /// The compact one-line form of an envelope, as a bundle stores it.
    public static func line(for envelope: DSSEEnvelope) throws -> [UInt8] {
        try envelope.encodedLine()
    }
}
