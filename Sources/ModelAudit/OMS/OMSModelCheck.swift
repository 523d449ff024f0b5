import AuditCrypto
import Dispatch
import Foundation

/// Compares a model (a directory, or one file) with the resources of a verified OMS statement.
///
/// 1. The model is listed without following links (unless allowed) and without any default ignore list: only the
///    paths the signature records in `ignore_paths` are left out, matched as paths from the model root (a path and
///    everything below it), plus the bundle file itself when it lies inside the model.
/// 2. Every listed file is hashed with the signed hash function: whole in file mode, range by range in shard mode,
///    on all cores; a shard-mode file must be exactly as long as its last shard ends.
/// 3. A missing file, a digest mismatch (naming the file or shard), a file the signature does not list — empty ones
///    included, which shard mode cannot list — and a refused link or special file are each a problem.
public enum OMSModelCheck {
    /// Checks `modelPath` against `statement`; throws only when the model path itself cannot be read.
    public static func check(
        _ statement: OMSStatement, modelPath: String, followSymlinks: Bool = false, bundlePath: String? = nil,
        progress: DigestProgress? = nil
    ) throws -> ArtifactCheckResult {
        var info = stat()
        guard lstat(modelPath, &info) == 0 else {
            let code = errno
            throw ArtifactError(problems: [
                ArtifactProblem(
                    path: modelPath, kind: code == ENOENT ? .missing : .unreadable(ModelDirectory.describe(code)))
            ])
        }
        var isFile = info.st_mode & S_IFMT == S_IFREG
        if info.st_mode & S_IFMT == S_IFLNK {
            var target = stat()
            if stat(modelPath, &target) == 0 && target.st_mode & S_IFMT == S_IFREG {
                guard followSymlinks else {
                    return ArtifactCheckResult(
                        verified: [], problems: [ArtifactProblem(path: modelPath, kind: .symlink(target: "a file"))],
                        warnings: [])
                }
                isFile = true
            }
        }
        guard let algorithm = statement.serialization.hashType.digestAlgorithm else {
            throw ArtifactError(problems: [
                ArtifactProblem(
                    path: modelPath,
                    kind: .unreadable("hash function \(statement.serialization.hashType.rawValue) is not available"))
            ])
        }
        if isFile {
            return checkSingleFile(statement, path: modelPath, algorithm: algorithm, followSymlinks: followSymlinks)
        }
        return try checkDirectory(
            statement, root: modelPath, algorithm: algorithm, followSymlinks: followSymlinks, bundlePath: bundlePath,
            progress: progress)
    }

    /// One piece of work: a file, or a range of it.
    struct Job {
        let path: String
        let range: Range<Int64>?
        let expected: [UInt8]
        let label: String
        /// Bytes the job reads, for the progress total.
        let size: UInt64
    }

    private static func checkDirectory(
        _ statement: OMSStatement, root: String, algorithm: DigestAlgorithm, followSymlinks: Bool,
        bundlePath: String?, progress: DigestProgress?
    ) throws -> ArtifactCheckResult {
        let directory = try ModelDirectory(root: root, options: .init(followSymlinks: followSymlinks, ignore: .none))
        let walk = try directory.walk()
        var ignored = (statement.serialization.ignorePaths ?? []).map { Array($0.utf8) }
        if let inside = relativePath(of: bundlePath, inside: root) { ignored.append(Array(inside.utf8)) }
        func isIgnored(_ path: String) -> Bool {
            let bytes = Array(path.utf8)
            return ignored.contains { prefix in
                bytes == prefix || (bytes.count > prefix.count && bytes.starts(with: prefix + [0x2F]))
            }
        }
        var problems: [ArtifactProblem] = []
        if statement.resources.contains(where: { $0.path == "." }) {
            problems.append(
                ArtifactProblem(
                    path: root, kind: .unreadable("the signature is for a single file, this is a directory")))
            return ArtifactCheckResult(verified: [], problems: problems, warnings: [])
        }
        let expectedPaths = Set(statement.paths.map { Array($0.utf8) })
        for problem in walk.problems where !isIgnored(problem.path) {
            problems.append(problem)
        }
        var sizes: [[UInt8]: UInt64] = [:]
        for file in walk.files where !isIgnored(file.path) {
            sizes[Array(file.path.utf8)] = file.size
            guard !expectedPaths.contains(Array(file.path.utf8)) else { continue }
            if file.size == 0, case .shards = statement.serialization.method {
                problems.append(
                    ArtifactProblem(
                        path: file.path,
                        kind: .unreadable(
                            "empty file not covered by the signature (shard serialization leaves empty files out, "
                                + "so the signature cannot vouch for it)")))
            } else {
                problems.append(ArtifactProblem(path: file.path, kind: .unexpectedFile))
            }
        }
        let walkProblemPaths = Set(walk.problems.map { Array($0.path.utf8) })
        var jobs: [Job] = []
        for path in statement.paths {
            let key = Array(path.utf8)
            if isIgnored(path) {
                problems.append(
                    ArtifactProblem(
                        path: path, kind: .unreadable("signed, but also listed in the signature's ignore_paths")))
                continue
            }
            guard let size = sizes[key] else {
                if !walkProblemPaths.contains(key) { problems.append(ArtifactProblem(path: path, kind: .missing)) }
                continue
            }
            jobs += self.jobs(for: path, size: size, statement: statement, problems: &problems)
        }
        let opener = try Opener(root: root, followSymlinks: followSymlinks)
        let results = hash(jobs, algorithm: algorithm, progress: progress) { path in
            switch opener.open(relative: path, directory: false) {
            case .success(let opened): return .success(opened.fd)
            case .failure(let failure): return .failure(ArtifactProblem(path: path, kind: failure.kind))
            }
        }
        return result(jobs: jobs, results: results, problems: problems, algorithm: algorithm)
    }

    private static func checkSingleFile(
        _ statement: OMSStatement, path: String, algorithm: DigestAlgorithm, followSymlinks: Bool
    ) -> ArtifactCheckResult {
        let name = (path as NSString).lastPathComponent
        let signedPaths = statement.paths
        guard signedPaths.count == 1, signedPaths[0] == "." || signedPaths[0] == name else {
            let listed = signedPaths.prefix(3).joined(separator: ", ") + (signedPaths.count > 3 ? ", …" : "")
            return ArtifactCheckResult(
                verified: [],
                problems: [
                    ArtifactProblem(
                        path: name,
                        kind: .unreadable(
                            "the signature lists \(signedPaths.count) file(s) (\(listed)), not this one file"))
                ], warnings: [])
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            return ArtifactCheckResult(
                verified: [], problems: [ArtifactProblem(path: name, kind: .missing)], warnings: [])
        }
        var problems: [ArtifactProblem] = []
        let jobs = self.jobs(
            for: signedPaths[0], size: UInt64(max(info.st_size, 0)), statement: statement,
            problems: &problems)
        let results = hash(jobs, algorithm: algorithm, progress: nil) { _ in
            let fd = open(path, O_RDONLY | O_CLOEXEC | (followSymlinks ? 0 : O_NOFOLLOW))
            guard fd >= 0 else {
                return .failure(ArtifactProblem(path: name, kind: .unreadable(ModelDirectory.describe(errno))))
            }
            return .success(fd)
        }
        return result(jobs: jobs, results: results, problems: problems, algorithm: algorithm)
    }

    /// The work for one listed file, checking in shard mode that the shards end where the file does.
    private static func jobs(
        for path: String, size: UInt64, statement: OMSStatement, problems: inout [ArtifactProblem]
    )
        -> [Job]
    {
        let resources = statement.resources.filter { $0.path == path }
        guard case .shards = statement.serialization.method else {
            return resources.map { Job(path: path, range: nil, expected: $0.digest, label: $0.name, size: size) }
        }
        let end = resources.compactMap { $0.range?.upperBound }.max() ?? 0
        if UInt64(end) != size {
            problems.append(
                ArtifactProblem(
                    path: path, kind: .unreadable("\(size) bytes, but the signed shards cover \(end) bytes")))
            return []
        }
        return resources.map {
            Job(
                path: path, range: $0.range, expected: $0.digest, label: $0.name,
                size: UInt64(($0.range?.upperBound ?? 0) - ($0.range?.lowerBound ?? 0)))
        }
    }

    private static func result(
        jobs: [Job], results: [Result<[UInt8], ArtifactProblem>], problems: [ArtifactProblem],
        algorithm: DigestAlgorithm
    ) -> ArtifactCheckResult {
        var problems = problems
        var verified: [ArtifactDigest] = []
        for (job, result) in zip(jobs, results) {
            switch result {
            case .failure(let problem):
                problems.append(problem)
            case .success(let digest) where digest == job.expected:
                let size = job.range.map { UInt64($0.upperBound - $0.lowerBound) } ?? 0
                verified.append(
                    ArtifactDigest(path: job.label, algorithm: algorithm, digest: Hex.encode(digest), size: size))
            case .success(let digest):
                problems.append(
                    ArtifactProblem(
                        path: job.label,
                        kind: .digestMismatch(expected: Hex.encode(job.expected), observed: Hex.encode(digest))))
            }
        }
        func byPath(_ a: ArtifactProblem, _ b: ArtifactProblem) -> Bool {
            a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
        }
        return ArtifactCheckResult(
            verified: verified.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) },
            problems: problems.sorted(by: byPath), warnings: [])
    }

    /// Hashes every job on all cores; each worker opens its file through `open` and reads its range with `pread`.
    static func hash(
        _ jobs: [Job], algorithm: DigestAlgorithm, progress: DigestProgress?,
        open: @escaping @Sendable (String) -> Result<Int32, ArtifactProblem>
    ) -> [Result<[UInt8], ArtifactProblem>] {
        guard !jobs.isEmpty else { return [] }
        let slots = JobSlots(count: jobs.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, jobs.count))
        let total = jobs.reduce(UInt64(0)) { $0 + $1.size }
        progress?.started(totalBytes: total, files: jobs.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
            defer { buffer.deallocate() }
            while let index = slots.take() {
                slots.set(
                    index, hashJob(jobs[index], algorithm: algorithm, buffer: buffer, progress: progress, open: open))
            }
        }
        progress?.finished()
        return slots.values()
    }

    private static func hashJob(
        _ job: Job, algorithm: DigestAlgorithm, buffer: UnsafeMutableRawBufferPointer, progress: DigestProgress?,
        open: (String) -> Result<Int32, ArtifactProblem>
    ) -> Result<[UInt8], ArtifactProblem> {
        let fd: Int32
        switch open(job.path) {
        case .failure(let problem): return .failure(problem)
        case .success(let opened): fd = opened
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return .failure(ArtifactProblem(path: job.path, kind: .notRegularFile("not a regular file")))
        }
        let start = job.range?.lowerBound ?? 0
        let end = job.range?.upperBound ?? Int64(info.st_size)
        if job.range == nil, algorithm == .blake3 {
            // A whole file under BLAKE3 is hashed on all cores by its tree, which the streaming loop cannot do.
            do {
                let (digest, size) = try Digests.hashFileDescriptor(fd, path: job.path, algorithm: algorithm)
                progress?.advanced(bytes: size)
                return .success(digest)
            } catch {
                return .failure(ArtifactProblem(path: job.label, kind: .unreadable("\(error)")))
            }
        }
        do {
            let digest = try StreamingDigest(algorithm)
            var offset = start
            while offset < end {
                let want = Int(min(Int64(buffer.count), end - offset))
                let count = pread(fd, buffer.baseAddress, want, off_t(offset))
                if count < 0 {
                    if errno == EINTR { continue }
                    return .failure(ArtifactProblem(path: job.path, kind: .unreadable(ModelDirectory.describe(errno))))
                }
                if count == 0 {
                    return .failure(
                        ArtifactProblem(path: job.label, kind: .unreadable("file shrank while it was hashed")))
                }
                try digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                offset += Int64(count)
                progress?.advanced(bytes: UInt64(count))
            }
            return .success(try digest.finalize())
        } catch {
            return .failure(ArtifactProblem(path: job.label, kind: .unreadable("\(error)")))
        }
    }

    /// `bundle`'s path relative to `root`, when the bundle lies inside the model directory.
    /// A bundle about to be written does not exist yet, so its directory is resolved instead.
    static func relativePath(of bundle: String?, inside root: String) -> String? {
        guard let bundle, let realRoot = realPath(root) else { return nil }
        let directory = (bundle as NSString).deletingLastPathComponent
        let name = (bundle as NSString).lastPathComponent
        guard let realBundle = realPath(bundle) ?? realPath(directory.isEmpty ? "." : directory).map({ $0 + "/" + name })
        else { return nil }
        let prefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
        guard realBundle.hasPrefix(prefix) else { return nil }
        return String(realBundle.dropFirst(prefix.count))
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The hashing workers' shared queue and results.
private final class JobSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [Result<[UInt8], ArtifactProblem>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func set(_ index: Int, _ value: Result<[UInt8], ArtifactProblem>) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func values() -> [Result<[UInt8], ArtifactProblem>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(ArtifactProblem(path: "", kind: .unreadable("not hashed"))) }
    }
}
