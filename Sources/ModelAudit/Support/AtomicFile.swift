import Foundation

/// Writes files atomically: a temporary file beside the target, flushed, then renamed over it.
///
/// A reader never sees a half-written file, and a crash leaves either the old file or the new one.
public enum AtomicFile {
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Writes `bytes` to `path` with the given permission bits.
    ///
    /// - Parameter overwrite: when false, an existing file at `path` is an error.
    public static func write(
        _ bytes: some ContiguousBytes, to path: String, mode: mode_t = 0o644, overwrite: Bool = true
    ) throws {
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw WriteError(path: path, reason: "file exists (use --force to replace it)")
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<16 {
            temporary = directory + "/." + name + ".tmp-\(getpid())-\(attempt)-\(UInt32.random(in: 0...UInt32.max))"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        // The umask may have narrowed the mode; private keys need exactly what was asked for.
        fchmod(fd, mode)
        let writeResult: Int32 = bytes.withUnsafeBytes { raw in
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
        if writeResult != 0 {
            close(fd)
            throw WriteError(path: path, reason: String(cString: strerror(writeResult)))
        }
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw WriteError(path: path, reason: reason)
        }
        close(fd)
        if !overwrite {
            // link(2) fails if the target appeared meanwhile, so a concurrent writer is never clobbered.
            guard link(temporary, path) == 0 else {
                throw WriteError(path: path, reason: errno == EEXIST
                    ? "file exists (use --force to replace it)" : String(cString: strerror(errno)))
            }
            unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else {
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
        }
        ok = true
    }
}
