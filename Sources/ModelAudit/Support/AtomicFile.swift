import Foundation

/// The one way `audit` writes files: a temporary file beside the target, flushed, renamed over it, and the
/// directory flushed.
///
/// A reader never sees a half-written file, and a crash at any point leaves either the old file or the new one.
/// A full disk, a file-size limit or a read-only directory fails before the rename, so the old file is intact.
/// A file that is read, changed and written back must also be locked for the whole sequence: see `FileLock`.
public enum AtomicFile {
    public struct WriteError: AuditError {
        public var code: AuditErrorCode { .writeFailed }

        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `bytes` to `path`.
    ///
    /// 1. The target is `path`, or the file it links to when it is a symbolic link (the link is kept).
    /// 2. A new temporary file `.NAME.tmp-PID-…` is created beside it with the final permission bits, so a private
    ///    key is never readable by others, not even while it is being written.
    /// 3. The bytes are written and flushed to disk (`fsync`).
    /// 4. The temporary file is renamed over the target (or, without `overwrite`, linked to it, which fails when the
    ///    target exists), and the directory is flushed so the new name survives a power cut.
    ///
    /// - Parameter mode: exact permission bits, whatever the umask. When `nil`, a replaced file keeps its own bits
    ///   (and, when allowed, its owner and group) and a new file gets 0666 less the umask.
    /// - Parameter overwrite: when false, an existing file at `path` is an error.
    public static func write(
        _ bytes: some ContiguousBytes, to path: String, mode: mode_t? = nil, overwrite: Bool = true
    ) throws {
        try write(to: path, mode: mode, overwrite: overwrite) { write in
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Writes what `produce` hands to its `write` function, piece by piece, to `path` with the same guarantees as
    /// `write(_:to:mode:overwrite:)`: a report too large to hold in memory is streamed into the temporary file, and
    /// the target is replaced only once `produce` has returned. When `produce` throws, the target is unchanged.
    public static func write(
        to path: String, mode: mode_t? = nil, overwrite: Bool = true,
        _ produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let target = resolvingSymbolicLink(path)
        if !overwrite && FileManager.default.fileExists(atPath: target) {
            throw WriteError(path: path, reason: "file exists (use --force to replace it)")
        }
        var existing = stat()
        let replacing = stat(target, &existing) == 0
        if replacing && isStream(existing.st_mode) {
            try writeInPlace(target, path: path, produce)
            return
        }
        let permissions: mode_t? = mode.map { $0 & 0o777 } ?? (replacing ? existing.st_mode & 0o777 : nil)
        let (directory, name) = split(target)
        let unchanged = replacing ? " (the existing file is unchanged)" : ""

        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<16 {
            temporary = directory + "/" + temporaryPrefix(name) + "\(getpid())-\(attempt)-"
                + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            // Created with the final bits (or narrower, by the umask): never wider than asked, even for a moment.
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, permissions ?? 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno)) + unchanged) }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        func fail(_ code: Int32, closing: Bool = true) -> WriteError {
            if closing { close(fd) }
            return WriteError(path: path, reason: String(cString: strerror(code)) + unchanged)
        }
        if let permissions {
            if replacing && mode == nil {
                // A shared file keeps its group; this only succeeds where the caller may give it away.
                _ = fchown(fd, existing.st_uid, existing.st_gid)
            }
            // The umask narrowed the bits at creation; what was asked for (or kept) is exact.
            guard fchmod(fd, permissions) == 0 else { throw fail(errno) }
        }
        do {
            try produce { piece in
                let result = writeAll(piece, to: fd)
                if result != 0 { throw fail(result, closing: false) }
            }
        } catch {
            close(fd)
            throw error
        }
        guard fsync(fd) == 0 else { throw fail(errno) }
        // close() can report a delayed write error (NFS); the data is only safe when it does not.
        guard close(fd) == 0 else { throw fail(errno, closing: false) }
        if !overwrite {
            // link(2) fails if the target appeared meanwhile, so a concurrent writer is never clobbered.
            guard link(temporary, target) == 0 else {
                throw WriteError(path: path, reason: errno == EEXIST
                    ? "file exists (use --force to replace it)" : String(cString: strerror(errno)))
            }
            unlink(temporary)
        } else {
            guard rename(temporary, target) == 0 else {
                throw WriteError(path: path, reason: String(cString: strerror(errno)) + unchanged)
            }
        }
        committed = true
        try syncDirectory(directory, path: path)
    }

    /// Whether a file is a character device or a pipe (`/dev/null`, a terminal, a FIFO): a stream, not a file.
    private static func isStream(_ mode: mode_t) -> Bool {
        let type = mode & S_IFMT
        return type == S_IFCHR || type == S_IFIFO
    }

    /// Writes what `produce` hands out straight into a device or pipe. Renaming a file over it would put a regular
    /// file in its place (`-o /dev/null` run as root would replace the null device), and a stream has no old content
    /// to keep intact, so there is nothing to make atomic.
    private static func writeInPlace(
        _ target: String, path: String, _ produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        do {
            try produce { piece in
                let result = writeAll(piece, to: fd)
                if result != 0 { throw WriteError(path: path, reason: String(cString: strerror(result))) }
            }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Appends `bytes` to the end of `path`, creating it when missing, and flushes it.
    ///
    /// Only for a file another program owns and reads as it grows, such as the GitHub Actions job summary: it must
    /// keep its identity, so it cannot be replaced by a rename. Each call is one `O_APPEND` write sequence.
    public static func append(_ bytes: some ContiguousBytes, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var writeResult = writeAll(bytes, to: fd)
        if writeResult == 0 && fsync(fd) != 0 { writeResult = errno }
        let closeResult = close(fd) == 0 ? 0 : errno
        let failure = writeResult != 0 ? writeResult : closeResult
        if failure != 0 { throw WriteError(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Writes every byte to `fd`, retrying after a signal; 0, or the `errno` of the write that failed.
    private static func writeAll(_ bytes: some ContiguousBytes, to fd: Int32) -> Int32 {
        bytes.withUnsafeBytes { writeAll($0, to: fd) }
    }

    private static func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32) -> Int32 {
        var offset = 0
        while offset < raw.count {
            let n = Foundation.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    /// Removes temporary files a killed writer left beside `path`; call it only while holding `path`'s `FileLock`.
    ///
    /// A temporary file whose writer (the PID in its name) is still running is kept: it may belong to a writer
    /// that does not take the lock.
    public static func removeAbandonedTemporaries(of path: String) {
        let (directory, name) = split(resolvingSymbolicLink(path))
        let prefix = temporaryPrefix(name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let pidText = entry.dropFirst(prefix.count).prefix { $0 != "-" }
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            unlink(directory + "/" + entry)
        }
    }

    /// The file a write to `path` replaces: the target of a symbolic link (so the link survives), else `path`.
    public static func resolvingSymbolicLink(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, nil) else {
            return path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func temporaryPrefix(_ name: String) -> String {
        "." + name + ".tmp-"
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        let url = URL(fileURLWithPath: path)
        return (url.deletingLastPathComponent().path, url.lastPathComponent)
    }

    /// Flushes the directory entry of a file just renamed into it.
    ///
    /// A directory that cannot be opened for reading, or a file system that cannot flush directories (EINVAL),
    /// offers nothing to flush; any other error means the new name may not survive a crash, so it is reported.
    private static func syncDirectory(_ directory: String, path: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP {
            throw WriteError(path: path, reason: "written, but flushing its directory failed: "
                + String(cString: strerror(errno)))
        }
    }
}
