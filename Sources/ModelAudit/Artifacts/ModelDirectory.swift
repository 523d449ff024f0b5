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

// MARK: - Walking

extension ModelDirectory {
    /// A regular file found by the walk.
    struct FileEntry: Sendable {
        let path: String
        let size: UInt64
    }

    /// A directory still to be read: its logical path and its physical components below the walk's base.
    private struct PendingDirectory {
        let relative: [UInt8]
        let physical: [[UInt8]]
    }

    /// A symbolic link met in follow mode, resolved after the plain tree so real paths win over linked ones.
    private struct PendingLink {
        let relative: String
        let physicalParent: [[UInt8]]
        let name: [UInt8]
    }

    /// The identity of a directory, to walk each physical directory once.
    private struct DirectoryID: Hashable {
        let device: UInt64
        let inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Lists every regular file and every problem; throws only when the root itself cannot be read.
    func walk() throws -> (files: [FileEntry], problems: [ArtifactProblem]) {
        let opener = try Opener(root: root, followSymlinks: options.followSymlinks)
        var files: [FileEntry] = []
        var problems: [ArtifactProblem] = []
        var visited: Set<DirectoryID> = []
        var rootInfo = stat()
        guard stat(opener.baseC, &rootInfo) == 0 else {
            throw ArtifactError(problems: [ArtifactProblem(path: root, kind: .unreadable(Self.describe(errno)))])
        }
        visited.insert(DirectoryID(rootInfo))
        var directories = [PendingDirectory(relative: [], physical: [])]
        var links: [PendingLink] = []

        func report(_ path: String, _ kind: ArtifactProblem.Kind) {
            problems.append(ArtifactProblem(path: path, kind: kind))
        }
        /// A directory's name in messages: its relative path, or the root as given.
        func label(_ relative: [UInt8]) -> String {
            relative.isEmpty ? root : ArtifactPath.display(relative)
        }

        while true {
            while let directory = directories.popLast() {
                let opened = opener.open(directory.physical, directory: true)
                guard case .success(let handle) = opened else {
                    if case .failure(let failure) = opened {
                        report(label(directory.relative), failure.kind)
                    }
                    continue
                }
                guard let stream = fdopendir(handle.fd) else {
                    report(label(directory.relative), .unreadable(Self.describe(errno)))
                    close(handle.fd)
                    continue
                }
                defer { closedir(stream) }
                let dirFD = dirfd(stream)
                while true {
                    errno = 0
                    guard let entry = readdir(stream) else {
                        if errno != 0 {
                            report(label(directory.relative), .unreadable(Self.describe(errno)))
                        }
                        break
                    }
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                    if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                    let relativeBytes = directory.relative.isEmpty ? name : directory.relative + [0x2F] + name
                    guard let relative = String(validating: relativeBytes, as: UTF8.self) else {
                        report(ArtifactPath.display(relativeBytes), .invalidName("not valid UTF-8"))
                        continue
                    }
                    var info = stat()
                    guard fstatat(dirFD, name.cString, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                        report(relative, .unreadable(Self.describe(errno)))
                        continue
                    }
                    let type = info.st_mode & S_IFMT
                    if options.ignore.ignores(relative, isDirectory: type == S_IFDIR) { continue }
                    if let reason = ArtifactPath.problem(with: relative) {
                        report(ArtifactPath.display(relativeBytes), .invalidName(reason))
                        continue
                    }
                    switch type {
                    case S_IFREG:
                        files.append(FileEntry(path: relative, size: UInt64(max(info.st_size, 0))))
                    case S_IFDIR:
                        visited.insert(DirectoryID(info))
                        directories.append(
                            PendingDirectory(relative: relativeBytes, physical: directory.physical + [name]))
                    case S_IFLNK:
                        if options.followSymlinks {
                            links.append(
                                PendingLink(relative: relative, physicalParent: directory.physical, name: name))
                        } else {
                            report(relative, .symlink(target: Self.readLink(dirFD, name)))
                        }
                    default:
                        report(relative, .notRegularFile(Self.typeName(info.st_mode)))
                    }
                }
            }
            guard !links.isEmpty else { break }
            // Links are resolved after the plain tree, in path order, so the result does not depend on readdir order.
            let batch = links.sorted { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
            links.removeAll()
            for link in batch {
                switch opener.resolveLink(parent: link.physicalParent, name: link.name) {
                case .failure(let failure):
                    report(link.relative, failure.kind)
                case .success(let (physical, info)):
                    let isDirectory = info.st_mode & S_IFMT == S_IFDIR
                    if options.ignore.ignores(link.relative, isDirectory: isDirectory) { continue }
                    if isDirectory {
                        let (inserted, _) = visited.insert(DirectoryID(info))
                        guard inserted else {
                            report(link.relative, .symlinkLoop(target: opener.linkText(link.physicalParent, link.name)))
                            continue
                        }
                        directories.append(PendingDirectory(relative: Array(link.relative.utf8), physical: physical))
                    } else if info.st_mode & S_IFMT == S_IFREG {
                        files.append(FileEntry(path: link.relative, size: UInt64(max(info.st_size, 0))))
                    } else {
                        report(link.relative, .notRegularFile(Self.typeName(info.st_mode)))
                    }
                }
            }
        }
        problems.append(contentsOf: Self.normalizationClashes(files.map(\.path)))
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        problems.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return (files, problems)
    }

    /// Names that differ only in Unicode normalization compare equal as Swift strings, so a dictionary keyed by
    /// path (here or in any caller) could silently merge two different files: both are refused.
    private static func normalizationClashes(_ paths: [String]) -> [ArtifactProblem] {
        var groups: [String: Set<[UInt8]>] = [:]
        for path in paths { groups[path, default: []].insert(Array(path.utf8)) }
        var problems: [ArtifactProblem] = []
        for (_, variants) in groups where variants.count > 1 {
            for bytes in variants {
                problems.append(
                    ArtifactProblem(
                        path: ArtifactPath.display(bytes),
                        kind: .invalidName("differs from another file's name only in Unicode normalization")))
            }
        }
        return problems
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFDIR: return "directory"
        case S_IFLNK: return "symbolic link"
        default: return "special file"
        }
    }

    static func readLink(_ dirFD: Int32, _ name: [UInt8]) -> String {
        var buffer = [UInt8](repeating: 0, count: 4097)
        let count = buffer.withUnsafeMutableBufferPointer { out in
            out.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: out.count) {
                    readlinkat(dirFD, name.cString, $0, out.count - 1)
                }
            } ?? -1
        }
        guard count >= 0 else { return "?" }
        return ArtifactPath.display(Array(buffer.prefix(count)))
    }
}

// MARK: - Opening files beneath the root

extension [UInt8] {
    /// The bytes as a NUL-terminated C string.
    fileprivate var cString: [CChar] {
        map { CChar(bitPattern: $0) } + [0]
    }
}

/// Why a path beneath the root could not be opened (the path is added by the caller).
struct OpenFailure: Error {
    let kind: ArtifactProblem.Kind

    init(_ kind: ArtifactProblem.Kind) {
        self.kind = kind
    }
}

extension Result where Failure == OpenFailure {
    static func refused(_ kind: ArtifactProblem.Kind) -> Self { .failure(OpenFailure(kind)) }
}

/// An open file or directory and what `fstat` says about it.
struct OpenedEntry {
    let fd: Int32
    let info: stat
}

/// Opens paths beneath the model directory so that no symbolic link can lead outside it.
///
/// Without `followSymlinks`, every component is opened with `openat(…, O_NOFOLLOW)` from the root, so any link
/// on the way is refused, even one swapped in after the walk. With it, the path is first resolved with
/// `realpath`, checked to lie inside the real root, and the resolved path is then opened the same way.
struct Opener {
    let root: String
    let followSymlinks: Bool
    /// The root as given, or its `realpath` when following links: every physical path is relative to it.
    let base: [UInt8]

    var baseC: [CChar] { base.cString }

    init(root: String, followSymlinks: Bool) throws {
        self.root = root
        self.followSymlinks = followSymlinks
        if followSymlinks {
            guard let real = Self.realPath(Array(root.utf8)) else {
                throw ArtifactError(problems: [
                    ArtifactProblem(path: root, kind: .unreadable(ModelDirectory.describe(errno)))
                ])
            }
            base = real
        } else {
            base = Array(root.utf8)
        }
    }

    static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard let resolved = realpath(path.cString, nil) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) })
    }

    /// Opens the logical relative path `relative` (already checked by `ArtifactPath`).
    func open(relative: String, directory: Bool) -> Result<OpenedEntry, OpenFailure> {
        let components = relative.utf8.split(separator: 0x2F).map { Array($0) }
        guard followSymlinks else { return open(components, directory: directory) }
        return resolve(Array(root.utf8) + [0x2F] + Array(relative.utf8)).flatMap { open($0, directory: directory) }
    }

    /// Resolves a symbolic link found at `parent`/`name` to its physical components and what it points to.
    func resolveLink(parent: [[UInt8]], name: [UInt8]) -> Result<([[UInt8]], stat), OpenFailure> {
        let path = physicalPath(parent + [name])
        return resolve(path).flatMap { physical in
            var info = stat()
            guard stat(physicalPath(physical).cString, &info) == 0 else {
                return .refused(.unreadable(ModelDirectory.describe(errno)))
            }
            return .success((physical, info))
        }
    }

    /// The target text of the link at `parent`/`name`, for messages.
    func linkText(_ parent: [[UInt8]], _ name: [UInt8]) -> String {
        let path = physicalPath(parent + [name])
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path.cString, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        return ArtifactPath.display(buffer.prefix(count).map { UInt8(bitPattern: $0) })
    }

    private func physicalPath(_ components: [[UInt8]]) -> [UInt8] {
        components.reduce(base) { $0 + [0x2F] + $1 }
    }

    /// `realpath` of an absolute or root-relative path, as components below the real root, or why not.
    private func resolve(_ path: [UInt8]) -> Result<[[UInt8]], OpenFailure> {
        guard let real = Self.realPath(path) else {
            let code = errno
            var info = stat()
            let isLink = lstat(path.cString, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
            let target = isLink ? linkTarget(path) : ""
            switch code {
            case ENOENT where isLink: return .refused(.unreadable("dangling symbolic link to \(target)"))
            case ENOENT, ENOTDIR: return .refused(.missing)
            case ELOOP: return .refused(.symlinkLoop(target: target.isEmpty ? "?" : target))
            default: return .refused(.unreadable(ModelDirectory.describe(code)))
            }
        }
        let prefix = base == [0x2F] ? base : base + [0x2F]
        guard real.starts(with: prefix) else {
            if real == base { return .refused(.symlinkLoop(target: ArtifactPath.display(real))) }
            return .refused(.symlinkOutside(target: ArtifactPath.display(real)))
        }
        return .success(real.dropFirst(prefix.count).split(separator: 0x2F).map { Array($0) })
    }

    private func linkTarget(_ path: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path.cString, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        return ArtifactPath.display(buffer.prefix(count).map { UInt8(bitPattern: $0) })
    }

    /// Opens physical components below `base`, one `openat(…, O_NOFOLLOW)` at a time, checking each type first so
    /// that nothing but a directory or a regular file is ever opened.
    func open(_ components: [[UInt8]], directory: Bool) -> Result<OpenedEntry, OpenFailure> {
        var fd = Foundation.open(baseC, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            return .refused(.unreadable("cannot open the model directory: \(describe(errno))"))
        }
        for (index, name) in components.enumerated() {
            let isLast = index == components.count - 1
            let wantDirectory = !isLast || directory
            var info = stat()
            guard fstatat(fd, name.cString, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                let code = errno
                close(fd)
                return .refused(code == ENOENT || code == ENOTDIR ? .missing : .unreadable(describe(code)))
            }
            let type = info.st_mode & S_IFMT
            if type == S_IFLNK {
                let target = ModelDirectory.readLink(fd, name)
                close(fd)
                return .refused(.symlink(target: target))
            }
            if wantDirectory ? type != S_IFDIR : type != S_IFREG {
                close(fd)
                if !isLast { return .refused(.missing) }
                return .refused(.notRegularFile(ModelDirectory.typeName(info.st_mode)))
            }
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (wantDirectory ? O_DIRECTORY : 0)
            let next = openat(fd, name.cString, flags)
            let code = errno
            close(fd)
            guard next >= 0 else {
                switch code {
                case ELOOP: return .refused(.symlink(target: "?"))
                case ENOENT: return .refused(.missing)
                default: return .refused(.unreadable(describe(code)))
                }
            }
            fd = next
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            return .refused(.unreadable(describe(code)))
        }
        // The type was checked before opening; checked again here in case the entry was replaced in between.
        let type = info.st_mode & S_IFMT
        guard directory ? type == S_IFDIR : type == S_IFREG else {
            close(fd)
            return .refused(.notRegularFile(ModelDirectory.typeName(info.st_mode)))
        }
        if !directory { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        return .success(OpenedEntry(fd: fd, info: info))
    }

    private func describe(_ code: Int32) -> String { ModelDirectory.describe(code) }
}

// MARK: - Hashing

extension ModelDirectory {
    /// Hashes `files` on a fixed pool of workers, largest first; results come back in the order of `files`.
    func hash(_ files: [FileEntry], algorithm: DigestAlgorithm, progress: DigestProgress?)
        -> [Result<ArtifactDigest, ArtifactProblem>]
    {
        guard !files.isEmpty else { return [] }
        // Largest first, so the last file to start is a small one and the workers finish together.
        let order = files.indices.sorted { (files[$0].size, $1) > (files[$1].size, $0) }
        let queue = HashQueue(order: order)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, files.count))
        let opener: Opener
        do {
            opener = try Opener(root: root, followSymlinks: options.followSymlinks)
        } catch {
            let problem = (error as? ArtifactError)?.problems.first
                ?? ArtifactProblem(path: root, kind: .unreadable("\(error)"))
            return files.map { _ in .failure(problem) }
        }
        progress?.started(totalBytes: files.reduce(0) { $0 + $1.size }, files: files.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 64)
            defer { buffer.deallocate() }
            while let index = queue.next() {
                let result = Self.hashFile(
                    files[index].path, opener: opener, algorithm: algorithm, buffer: buffer, progress: progress)
                queue.store(result, at: index)
            }
        }
        progress?.finished()
        return queue.results(count: files.count)
    }

    /// Hashes one file through `buffer`, failing if its size changes while it is read.
    private static func hashFile(
        _ path: String, opener: Opener, algorithm: DigestAlgorithm, buffer: UnsafeMutableRawBufferPointer,
        progress: DigestProgress?
    ) -> Result<ArtifactDigest, ArtifactProblem> {
        let handle: OpenedEntry
        switch opener.open(relative: path, directory: false) {
        case .failure(let failure): return .failure(ArtifactProblem(path: path, kind: failure.kind))
        case .success(let opened): handle = opened
        }
        defer { close(handle.fd) }
        #if os(Linux)
        _ = posix_fadvise(handle.fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        let expectedSize = UInt64(max(handle.info.st_size, 0))
        do {
            let digest = try StreamingDigest(algorithm)
            var total: UInt64 = 0
            while true {
                let count = read(handle.fd, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    return .failure(ArtifactProblem(path: path, kind: .unreadable("read failed: \(describe(errno))")))
                }
                if count == 0 { break }
                total += UInt64(count)
                // A file that keeps growing (someone appending) must not be hashed forever.
                guard total <= expectedSize else {
                    return .failure(ArtifactProblem(path: path, kind: .unreadable("file grew while it was hashed")))
                }
                try digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                progress?.advanced(bytes: UInt64(count))
            }
            guard total == expectedSize else {
                return .failure(ArtifactProblem(path: path, kind: .unreadable("file shrank while it was hashed")))
            }
            let hex = Hex.encode(try digest.finalize())
            return .success(ArtifactDigest(path: path, algorithm: algorithm, digest: hex, size: total))
        } catch {
            return .failure(ArtifactProblem(path: path, kind: .unreadable("\(error)")))
        }
    }
}

/// The shared work list of the hashing workers: the next file to take and the results, behind one lock.
private final class HashQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let order: [Int]
    private var position = 0
    private var slots: [Result<ArtifactDigest, ArtifactProblem>?]

    init(order: [Int]) {
        self.order = order
        slots = Array(repeating: nil, count: order.count)
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard position < order.count else { return nil }
        position += 1
        return order[position - 1]
    }

    func store(_ result: Result<ArtifactDigest, ArtifactProblem>, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func results(count: Int) -> [Result<ArtifactDigest, ArtifactProblem>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(ArtifactProblem(path: "", kind: .unreadable("not hashed"))) }
    }
}

// MARK: - Values

/// The digest of one artifact file.
public struct ArtifactDigest: Sendable, Equatable, Codable {
    /// Relative POSIX path inside the model directory.
    public let path: String
    public let algorithm: DigestAlgorithm
    /// Lowercase hex.
    public let digest: String
    /// Bytes hashed.
    public let size: UInt64

    public init(path: String, algorithm: DigestAlgorithm = .sha256, digest: String, size: UInt64) {
        self.path = path
        self.algorithm = algorithm
        self.digest = digest
        self.size = size
    }

    /// The lowercase hex SHA-256, or `nil` when the digest was made with another algorithm.
    public var sha256: String? { algorithm == .sha256 ? digest : nil }
}

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

/// Why a model directory could not be listed or hashed: every problem found, not just the first.
public struct ArtifactError: Error, Sendable, CustomStringConvertible {
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
public struct ArtifactProblem: Error, Sendable, Equatable, CustomStringConvertible {
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

/// Receives hashing progress; called from several worker threads at once.
public protocol DigestProgress: Sendable {
    func started(totalBytes: UInt64, files: Int)
    func advanced(bytes: UInt64)
    func finished()
}
