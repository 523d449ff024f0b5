import AuditCrypto
import Dispatch
import Foundation

/// A directory holding a model's artifact files: lists them safely and hashes them in parallel.
///
/// Safety rules, because the directory's contents are untrusted:
/// 1. The walk never follows a symbolic link unless `followSymlinks` is set, and even then a link whose target
///    resolves (with `realpath`) outside the root is refused, and each physical directory is walked once: a link
///    to a directory already walked (a loop, or a second path to the same directory) is refused, so a loop ends
///    the walk and links cannot multiply it. Links are resolved after the plain tree, so real paths win.
/// 2. Only regular files and directories are ever opened; a FIFO, socket or device is reported, never read.
/// 3. A name that is not UTF-8 or that `ArtifactPath` rejects (backslash, line break, …) is reported.
/// 4. Every problem is gathered and reported together, not just the first.
/// 5. Files are opened component by component with `O_NOFOLLOW`, so a link swapped in after the walk is caught,
///    and a file that changes size while it is hashed is reported rather than hashed forever.
public struct ModelDirectory: Sendable {
    /// How a model directory is walked.
    public struct Options: Sendable {
        /// Follow symbolic links whose target stays inside the model directory.
        public var followSymlinks: Bool
        /// Entries left out of the walk.
        public var ignore: IgnoreList

        public init(followSymlinks: Bool = false, ignore: IgnoreList = .default) {
            self.followSymlinks = followSymlinks
            self.ignore = ignore
        }
    }

    /// Bytes read per `read(2)`; each hashing worker owns one buffer of this size for its whole run.
    static let chunkSize = 1 << 20

    public let root: String
    public let options: Options

    /// Opens a model directory; `root` must exist and be a directory (a symbolic link to one is fine).
    public init(root: String, options: Options = .init()) throws {
        var info = stat()
        guard !root.isEmpty, stat(root, &info) == 0 else {
            let code = root.isEmpty ? ENOENT : errno
            throw ArtifactError(problems: [
                ArtifactProblem(path: root, kind: code == ENOENT ? .missing : .unreadable(Self.describe(code)))
            ])
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ArtifactError(problems: [ArtifactProblem(path: root, kind: .notDirectory)])
        }
        self.root = root
        self.options = options
    }

    /// Sorted relative POSIX paths of every regular file, honouring the ignore list.
    ///
    /// - Throws: `ArtifactError` listing every problem found: refused links, special files, bad names.
    public func files() throws -> [String] {
        let walk = try walk()
        guard walk.problems.isEmpty else { throw ArtifactError(problems: walk.problems) }
        return walk.files.map(\.path)
    }

    /// Hashes every file, in parallel across files on all cores, streaming each through a fixed-size buffer.
    ///
    /// - Returns: one digest per file, sorted by path.
    /// - Throws: `ArtifactError` for any walk or read problem, or when the directory holds no files.
    public func digests(algorithm: DigestAlgorithm = .sha256, progress: DigestProgress? = nil) throws
        -> [ArtifactDigest]
    {
        let walk = try walk()
        guard walk.problems.isEmpty else { throw ArtifactError(problems: walk.problems) }
        guard !walk.files.isEmpty else { throw ArtifactError(problems: [ArtifactProblem(path: root, kind: .noFiles)]) }
        let results = hash(walk.files, algorithm: algorithm, progress: progress)
        var digests: [ArtifactDigest] = []
        var problems: [ArtifactProblem] = []
        for result in results {
            switch result {
            case .success(let digest): digests.append(digest)
            case .failure(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw ArtifactError(problems: problems) }
        return digests
    }

    /// Hashes the named relative paths only; a missing, refused or unreadable file is reported per path.
    ///
    /// Paths that are canonically equivalent Unicode strings share one key; `ArtifactCheck` compares bytes instead.
    public func digest(paths: [String], algorithm: DigestAlgorithm = .sha256, progress: DigestProgress? = nil)
        -> [String: Result<ArtifactDigest, ArtifactProblem>]
    {
        let results = digestList(paths: paths, algorithm: algorithm, progress: progress)
        var out: [String: Result<ArtifactDigest, ArtifactProblem>] = [:]
        for (path, result) in zip(paths, results) { out[path] = result }
        return out
    }

    /// The results for `paths`, in the same order.
    func digestList(paths: [String], algorithm: DigestAlgorithm, progress: DigestProgress?)
        -> [Result<ArtifactDigest, ArtifactProblem>]
    {
        var results = [Result<ArtifactDigest, ArtifactProblem>?](repeating: nil, count: paths.count)
        var jobs: [FileEntry] = []
        var jobIndex: [Int] = []
        for (index, path) in paths.enumerated() {
            if let reason = ArtifactPath.problem(with: path) {
                let display = ArtifactPath.display(Array(path.utf8))
                results[index] = .failure(ArtifactProblem(path: display, kind: .invalidName(reason)))
                continue
            }
            // A size hint for the largest-first schedule and the progress total; the real size comes from fstat.
            var info = stat()
            let hint = lstat(root + "/" + path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? info.st_size : 0
            jobs.append(FileEntry(path: path, size: UInt64(max(hint, 0))))
            jobIndex.append(index)
        }
        for (index, result) in zip(jobIndex, hash(jobs, algorithm: algorithm, progress: progress)) {
            results[index] = result
        }
        return results.map { $0 ?? .failure(ArtifactProblem(path: "", kind: .unreadable("not hashed"))) }
    }
}
