import AuditCrypto
import Foundation

/// A directory of signed manifests, indexed by the SHA-256 of each envelope file — how children name parents.
public struct ManifestStore: Sendable {
    public struct Entry: Sendable {
        public let file: String
        public let sha256: String
        public let bytes: [UInt8]
    }

    public let directory: String
    public let entries: [String: Entry]

    /// Reads every `*.json` file directly in `directory` (each size-limited); unreadable files are skipped, since
    /// a parent that cannot be read is reported as missing where it is needed.
    public static func load(directory: String, limits: JSONLimits = .default) throws -> ManifestStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputFile.ReadError(path: directory, kind: .missing)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        var entries: [String: Entry] = [:]
        for name in names.sorted() {
            let file = (directory as NSString).appendingPathComponent(name)
            guard let bytes = try? InputFile.read(file, limit: limits.maxBytes) else { continue }
            let digest = try Digests.sha256Hex(bytes)
            if entries[digest] == nil { entries[digest] = Entry(file: file, sha256: digest, bytes: bytes) }
        }
        return ManifestStore(directory: directory, entries: entries)
    }

    public init(directory: String, entries: [String: Entry]) {
        self.directory = directory
        self.entries = entries
    }
}
