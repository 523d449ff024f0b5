import AuditCrypto
import Dispatch
import Foundation

/// Why a model directory could not be listed or hashed: every problem found, not just the first.
public struct ArtifactError: AuditError {
    public var code: AuditErrorCode { .artifacts }

    public let problems: [ArtifactProblem]

    public init(problems: [ArtifactProblem]) {
        self.problems = problems
    }

    /// One line, naming each problem.
    public var description: String {
        if problems.count == 1 { return problems[0].description }
        return "\(problems.count) problems: " + problems.map(\.description).joined(separator: "; ")
    }
}

/// One thing wrong with one artifact: missing, tampered, unexpected, or unsafe to read.
public struct ArtifactProblem: AuditError, Equatable {
    public var code: AuditErrorCode { .artifacts }

    /// What is wrong.
    public enum Kind: Sendable, Equatable {
        /// Named (by the manifest or the caller) but not present.
        case missing
        case digestMismatch(expected: String, observed: String)
        /// Present in the directory but not named by the manifest.
        case unexpectedFile
        /// A symbolic link, refused because links are not followed.
        case symlink(target: String)
        /// A symbolic link whose target resolves outside the model directory (refused even when following links).
        case symlinkOutside(target: String)
        /// A symbolic link that leads back to a directory already walked (a loop or a duplicate), or a link chain
        /// too long to resolve.
        case symlinkLoop(target: String)
        /// A FIFO, socket, device or directory where a regular file was expected; the associated value names it.
        case notRegularFile(String)
        /// The model directory path is not a directory.
        case notDirectory
        /// The model directory holds no files to hash.
        case noFiles
        case unreadable(String)
        /// A name that is not valid UTF-8 or that `ArtifactPath` rejects; the path is shown with `\xNN` escapes.
        case invalidName(String)
    }

    public let path: String
    public let kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .missing: return "\(path): missing (no such file or directory)"
        case .digestMismatch(let expected, let observed):
            return "\(path): digest mismatch (expected \(expected), observed \(observed))"
        case .unexpectedFile: return "\(path): not listed in the manifest"
        case .symlink(let target): return "\(path): symbolic link to \(target) (links are not followed)"
        case .symlinkOutside(let target):
            return "\(path): symbolic link resolves to \(target), outside the model directory"
        case .symlinkLoop(let target):
            return "\(path): symbolic link to \(target) leads to a directory already walked (a loop or a second path)"
        case .notRegularFile(let type): return "\(path): not a regular file (\(type))"
        case .notDirectory: return "\(path): not a directory"
        case .noFiles: return "\(path): no files"
        case .unreadable(let reason): return "\(path): \(reason)"
        case .invalidName(let reason): return "\(path): invalid name (\(reason))"
        }
    }
}
