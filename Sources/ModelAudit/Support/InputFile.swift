import Foundation

/// Reads untrusted input files with a size ceiling, so a huge or endless file cannot exhaust memory.
public enum InputFile {
    /// Why a file could not be read.
    public struct ReadError: AuditError, Equatable {
        public var code: AuditErrorCode { .unreadableInput }

        public enum Kind: Sendable, Equatable {
            case missing
            case notRegularFile
            case tooLarge(limit: Int)
            case unreadable(String)
        }
        public let path: String
        public let kind: Kind

        public var description: String {
            switch kind {
            case .missing: return "\(path): no such file"
            case .notRegularFile: return "\(path): not a regular file"
            case .tooLarge(let limit): return "\(path): larger than the \(limit)-byte limit"
            case .unreadable(let reason): return "\(path): \(reason)"
            }
        }
    }

    /// Reads the whole file, failing once more than `limit` bytes have been read (standard input for `-`).
    public static func read(_ path: String, limit: Int) throws(ReadError) -> [UInt8] {
        let fd: Int32
        if path == "-" {
            fd = dup(STDIN_FILENO)
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        }
        guard fd >= 0 else {
            let code = errno
            throw ReadError(path: path, kind: code == ENOENT ? .missing : .unreadable(String(cString: strerror(code))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ReadError(path: path, kind: .unreadable(String(cString: strerror(errno))))
        }
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        if path != "-" {
            // Opened non-blocking so a FIFO cannot hang the open. Only regular files go on, and O_NONBLOCK changes
            // nothing for them, so the flag stays: clearing it took two more system calls for every manifest.
            guard isRegular else { throw ReadError(path: path, kind: .notRegularFile) }
        }
        if isRegular && Int(info.st_size) > limit {
            throw ReadError(path: path, kind: .tooLarge(limit: limit))
        }
        var out: [UInt8] = []
        if isRegular {
            // Straight into the result, sized from fstat with one spare byte: the whole file comes in one read and
            // the next sees its end. A file that grew since goes on through the loop below, still bounded.
            let capacity = Int(info.st_size) + 1
            var failure: Int32 = 0
            out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                guard let base = buffer.baseAddress else { return }
                while count < capacity {
                    let n = Foundation.read(fd, base + count, capacity - count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    if n == 0 { return }
                    count += n
                }
            }
            if failure != 0 { throw ReadError(path: path, kind: .unreadable(String(cString: strerror(failure)))) }
            if out.count > limit { throw ReadError(path: path, kind: .tooLarge(limit: limit)) }
            if out.count < capacity { return out }
        } else {
            out.reserveCapacity(64 * 1024)
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, kind: .unreadable(String(cString: strerror(errno))))
            }
            if n == 0 { break }
            if out.count + n > limit { throw ReadError(path: path, kind: .tooLarge(limit: limit)) }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
