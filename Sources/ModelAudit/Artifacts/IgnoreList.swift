import AuditCrypto
import Dispatch
import Foundation

/// Entries of a model directory that are not part of the model (version-control and OS metadata, caches).
///
/// Pattern syntax (`fnmatch(3)` wildcards): a trailing `/` matches directories only; a pattern containing another
/// `/` is matched against the whole relative path from the root; any other pattern against the entry's name at any
/// depth. Everything below an ignored directory is ignored.
public struct IgnoreList: Sendable, Equatable {
    /// `.git/`, `.hg/`, `.svn/` (version control), `.DS_Store`, `Thumbs.db`, `__MACOSX/` (desktop and archive
    /// metadata) and `.cache/huggingface/` (the lock and metadata files `huggingface-cli download --local-dir`
    /// leaves at the root). Nothing a model loader reads is in this list.
    public static let `default` = IgnoreList([
        ".git/", ".hg/", ".svn/", ".DS_Store", "Thumbs.db", "__MACOSX/", ".cache/huggingface/",
    ])

    /// Ignores nothing.
    public static let none = IgnoreList([])

    public let patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns
    }

    /// Whether `relativePath` (or a directory above it) is ignored.
    public func ignores(_ relativePath: String, isDirectory: Bool) -> Bool {
        guard !patterns.isEmpty else { return false }
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: true)
        for end in components.indices {
            let path = components[...end].joined(separator: "/")
            let isLast = end == components.count - 1
            if matches(path: path, name: String(components[end]), isDirectory: isLast ? isDirectory : true) {
                return true
            }
        }
        return false
    }

    private func matches(path: String, name: String, isDirectory: Bool) -> Bool {
        for pattern in patterns {
            var body = Substring(pattern)
            let directoryOnly = body.hasSuffix("/")
            if directoryOnly {
                guard isDirectory else { continue }
                body = body.dropLast()
            }
            guard !body.isEmpty else { continue }
            let anchored = body.contains("/")
            if fnmatch(String(body), anchored ? path : name, anchored ? FNM_PATHNAME : 0) == 0 { return true }
        }
        return false
    }
}
