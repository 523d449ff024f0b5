internal import COpenSSL
import Foundation

/// A hash function the tool uses for artifact digests and key ids.
///
/// The raw values are the names OpenSSF model signing uses (`blake2b` is BLAKE2b-512). Adding a case here does not
/// make any document format accept it: each reader lists the algorithms it takes.
public enum DigestAlgorithm: String, Sendable, CaseIterable, Codable {
    case sha256
    case sha384
    case sha512
    /// BLAKE2b with a 64-byte output, through OpenSSL.
    case blake2b512 = "blake2b"
    /// BLAKE3 with its default 32-byte output, in Swift (`BLAKE3`).
    case blake3

    public var byteCount: Int {
        switch self {
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        case .blake2b512: return 64
        case .blake3: return BLAKE3.outputByteCount
        }
    }

    /// OpenSSL's implementation, or `nil` for the one written here.
    var evpMD: OpaquePointer? {
        switch self {
        case .sha256: return FetchedDigest.sha256.md
        case .sha384: return FetchedDigest.sha384.md
        case .sha512: return FetchedDigest.sha512.md
        case .blake2b512: return FetchedDigest.blake2b512.md
        case .blake3: return nil
        }
    }
}

/// An OpenSSL digest implementation fetched from the default provider once for the whole process.
///
/// `EVP_sha256()` and its kind hand out a placeholder that every `EVP_DigestInit_ex` resolves again through the
/// provider tables, which cost more than hashing a whole envelope; a fetched `EVP_MD` is resolved already. It is
/// immutable and reference-counted by OpenSSL, so every thread may use it, and it lives as long as the process.
final class FetchedDigest: @unchecked Sendable {
    let md: OpaquePointer?

    private init(_ name: String, placeholder: @autoclosure () -> OpaquePointer?) {
        // Should the fetch fail (no default provider), the placeholder still works, only slower.
        md = EVP_MD_fetch(nil, name, nil) ?? placeholder()
    }

    static let sha256 = FetchedDigest("SHA256", placeholder: EVP_sha256())
    static let sha384 = FetchedDigest("SHA384", placeholder: EVP_sha384())
    static let sha512 = FetchedDigest("SHA512", placeholder: EVP_sha512())
    static let blake2b512 = FetchedDigest("BLAKE2B-512", placeholder: EVP_blake2b512())
}

/// An incremental (streaming) hash computation: OpenSSL's EVP digest interface, or `BLAKE3Hasher`.
///
/// Not thread-safe: one `StreamingDigest` belongs to one task at a time.
public final class StreamingDigest {
    public let algorithm: DigestAlgorithm
    private let engine: Engine
    private var finished = false

    private enum Engine {
        case openSSL(OpaquePointer)
        case blake3(BLAKE3Hasher)
    }

    /// - Parameter multithreaded: lets an algorithm that can (BLAKE3) hash one large update on all cores; the
    ///   digest is the same either way.
    public init(_ algorithm: DigestAlgorithm, multithreaded: Bool = false) throws {
        self.algorithm = algorithm
        guard let md = algorithm.evpMD else {
            engine = .blake3(BLAKE3Hasher(multithreaded: multithreaded))
            return
        }
        guard let context = EVP_MD_CTX_new() else {
            throw CryptoError.openSSL(.digestFailed, "cannot allocate a digest context")
        }
        guard EVP_DigestInit_ex(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw CryptoError.openSSL(.digestFailed, "cannot initialise \(algorithm.rawValue)")
        }
        engine = .openSSL(context)
    }

    deinit {
        if case .openSSL(let context) = engine { EVP_MD_CTX_free(context) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw CryptoError(.digestFailed, "digest already finalised") }
        guard bytes.count > 0 else { return }
        switch engine {
        case .openSSL(let context):
            guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
                throw CryptoError.openSSL(.digestFailed, "\(algorithm.rawValue) update failed")
            }
        case .blake3(let hasher):
            hasher.update(bytes)
        }
    }

    public func update(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try update($0) }
    }

    /// Finishes the computation and returns the digest; the object cannot be updated afterwards.
    public func finalize() throws -> [UInt8] {
        guard !finished else { throw CryptoError(.digestFailed, "digest already finalised") }
        finished = true
        switch engine {
        case .openSSL(let context):
            var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(context, &output, &length) == 1 else {
                throw CryptoError.openSSL(.digestFailed, "\(algorithm.rawValue) finalisation failed")
            }
            return Array(output.prefix(Int(length)))
        case .blake3(let hasher):
            return hasher.finalize()
        }
    }

    /// The BLAKE3 hasher inside, for the file paths that hash aligned pieces on several cores.
    var blake3Hasher: BLAKE3Hasher? {
        if case .blake3(let hasher) = engine { return hasher }
        return nil
    }
}

/// One-shot and file digests.
public enum Digests {
    /// The digest of a byte string (BLAKE3 uses all cores for a large one).
    public static func hash(_ bytes: some ContiguousBytes, algorithm: DigestAlgorithm = .sha256) throws -> [UInt8] {
        let digest = try StreamingDigest(algorithm, multithreaded: true)
        try digest.update(bytes)
        return try digest.finalize()
    }

    /// Lowercase hex of the SHA-256 digest of `bytes`.
    public static func sha256Hex(_ bytes: some ContiguousBytes) throws -> String {
        try Hex.encode(hash(bytes, algorithm: .sha256))
    }

    /// Hashes a file by streaming it through a fixed-size buffer, so memory stays flat in the file size.
    ///
    /// - Parameter chunkSize: bytes read per `read(2)` call.
    /// - Returns: the digest and the number of bytes hashed.
    public static func hashFile(
        atPath path: String, algorithm: DigestAlgorithm = .sha256, chunkSize: Int = 1 << 20
    ) throws -> (digest: [UInt8], size: UInt64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CryptoError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        return try hashFileDescriptor(fd, path: path, algorithm: algorithm, chunkSize: chunkSize)
    }

    /// Hashes everything readable from an open file descriptor, from its current offset (the caller keeps
    /// ownership of `fd`).
    ///
    /// With BLAKE3 and a large regular file, whole aligned 1 MiB subtrees before the last byte are read with
    /// `pread` and hashed on all cores, then the rest is read in order as for any other algorithm.
    public static func hashFileDescriptor(
        _ fd: Int32, path: String, algorithm: DigestAlgorithm = .sha256, chunkSize: Int = 1 << 20
    ) throws -> (digest: [UInt8], size: UInt64) {
        let digest = try StreamingDigest(algorithm)
        var total: UInt64 = 0
        if let hasher = digest.blake3Hasher {
            total = try BLAKE3FileHashing.hashLeadingSubtrees(fd, path: path, into: hasher)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 4096), alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw CryptoError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += UInt64(count)
        }
        return (try digest.finalize(), total)
    }

    /// The digest of exactly `length` bytes of an open file starting at byte `offset`, read with `pread` (the
    /// descriptor's own offset is neither used nor moved, so several ranges of one file can be hashed at once).
    ///
    /// Runs on the calling thread. Throws when the file ends before `offset + length`.
    public static func hashFileRange(
        descriptor fd: Int32, offset: UInt64, length: UInt64, algorithm: DigestAlgorithm = .sha256,
        bufferSize: Int = 1 << 20
    ) throws -> [UInt8] {
        guard offset <= UInt64(Int64.max), length <= UInt64(Int64.max) - offset else {
            throw CryptoError(.io, "byte range \(offset)+\(length) is beyond any file")
        }
        let digest = try StreamingDigest(algorithm)
        // No bigger than the range: many small shards must not each allocate a full-size buffer.
        let capacity = Int(max(1, min(UInt64(max(bufferSize, 4096)), length)))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var done: UInt64 = 0
        while done < length {
            let want = Int(min(UInt64(buffer.count), length - done))
            let count = pread(fd, buffer.baseAddress, want, off_t(offset + done))
            if count < 0 {
                if errno == EINTR { continue }
                throw CryptoError(
                    .io, "cannot read bytes \(offset + done)..<\(offset + length): \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                throw CryptoError(
                    .io,
                    "the file ends at byte \(offset + done), before the end of range \(offset)..<\(offset + length)")
            }
            try digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            done += UInt64(count)
        }
        return try digest.finalize()
    }
}

/// Whole-file BLAKE3 on all cores: aligned subtrees read with `pread` by several workers at once.
enum BLAKE3FileHashing {
    /// Bytes per subtree a worker reads and hashes at a time: 1024 chunks, a power of two as the tree needs.
    static let subtreeBytes = 1 << 20
    /// Files smaller than this are read in order only (below two subtrees there is nothing to share).
    static let threshold: UInt64 = 2 << 20

    /// Hashes the whole subtrees between `fd`'s offset and (strictly before) its end into `hasher`, leaves `fd`
    /// positioned after them and returns how many bytes that was; 0 when the file is not a large regular file.
    static func hashLeadingSubtrees(_ fd: Int32, path: String, into hasher: BLAKE3Hasher) throws -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return 0 }
        let start = lseek(fd, 0, SEEK_CUR)
        guard start >= 0, info.st_size > start, UInt64(info.st_size - start) >= threshold,
            hasher.isOnChunkBoundary, hasher.chunksSoFar == 0
        else { return 0 }
        // The last byte stays out: the subtree that holds it may be part of the root, which is hashed in order.
        let count = Int((UInt64(info.st_size - start) - 1) / UInt64(subtreeBytes))
        guard count > 0 else { return 0 }
        let results = UnsafeMutablePointer<BLAKE3Words>.allocate(capacity: count)
        defer { results.deallocate() }
        let failures = FirstFailure()
        let shared = SubtreeSlots(results: results)
        let workers = min(ProcessInfo.activeCores, count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: subtreeBytes, alignment: 64)
            defer { buffer.deallocate() }
            guard let base = buffer.baseAddress else { return }
            var index = worker
            while index < count, !failures.happened {
                let offset = off_t(start) + off_t(index) * off_t(subtreeBytes)
                var filled = 0
                while filled < subtreeBytes {
                    let got = pread(fd, base + filled, subtreeBytes - filled, offset + off_t(filled))
                    if got < 0, errno == EINTR { continue }
                    if got <= 0 {
                        let reason = got < 0 ? String(cString: strerror(errno)) : "the file shrank while it was hashed"
                        failures.record(CryptoError(.io, "cannot read \(path): \(reason)"))
                        return
                    }
                    filled += got
                }
                shared.results[index] = BLAKE3.subtreeCV(
                    UnsafeRawPointer(base), chunks: subtreeBytes / BLAKE3.chunkLength,
                    counter: UInt64(index) * UInt64(subtreeBytes / BLAKE3.chunkLength))
                index += workers
            }
        }
        if let error = failures.error { throw error }
        for index in 0..<count {
            hasher.appendSubtree(results[index], chunks: subtreeBytes / BLAKE3.chunkLength)
        }
        let consumed = off_t(count) * off_t(subtreeBytes)
        guard lseek(fd, start + consumed, SEEK_SET) == start + consumed else {
            throw CryptoError(.io, "cannot seek in \(path): \(String(cString: strerror(errno)))")
        }
        return UInt64(consumed)
    }
}

/// Result slots the workers fill, each its own index.
private struct SubtreeSlots: @unchecked Sendable {
    let results: UnsafeMutablePointer<BLAKE3Words>
}

/// The first error any worker hit; later ones are dropped.
private final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: CryptoError?

    var happened: Bool {
        lock.lock()
        defer { lock.unlock() }
        return first != nil
    }

    var error: CryptoError? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    func record(_ error: CryptoError) {
        lock.lock()
        if first == nil { first = error }
        lock.unlock()
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); `nil` for odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
