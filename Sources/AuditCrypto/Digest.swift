internal import COpenSSL
import Foundation

/// A hash function the tool uses for artifact digests and key ids.
public enum DigestAlgorithm: String, Sendable, CaseIterable, Codable {
    case sha256
    case sha384
    case sha512

    public var byteCount: Int {
        switch self {
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    /// The implementation fetched once per process (`FetchedDigests`), or OpenSSL's built-in handle if that failed.
    var evpMD: OpaquePointer? {
        switch self {
        case .sha256: return FetchedDigests.shared.sha256 ?? EVP_sha256()
        case .sha384: return FetchedDigests.shared.sha384 ?? EVP_sha384()
        case .sha512: return FetchedDigests.shared.sha512 ?? EVP_sha512()
        }
    }
}

/// Digest implementations fetched from OpenSSL's providers once per process.
///
/// The handles `EVP_sha256()` and friends make OpenSSL 3 look the implementation up again, under a lock, at every
/// digest and signature check; a fleet run does hundreds of thousands of those from every core. A fetched `EVP_MD`
/// is immutable and may be shared by threads; these live as long as the process.
private final class FetchedDigests: @unchecked Sendable {
    static let shared = FetchedDigests()

    let sha256 = EVP_MD_fetch(nil, "SHA2-256", nil)
    let sha384 = EVP_MD_fetch(nil, "SHA2-384", nil)
    let sha512 = EVP_MD_fetch(nil, "SHA2-512", nil)
}

/// An incremental (streaming) hash computation over OpenSSL's EVP digest interface.
///
/// Not thread-safe: one `StreamingDigest` belongs to one task at a time.
public final class StreamingDigest {
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer
    private var finished = false

    public init(_ algorithm: DigestAlgorithm) throws {
        guard let context = EVP_MD_CTX_new() else {
            throw CryptoError.openSSL(.digestFailed, "cannot allocate a digest context")
        }
        guard EVP_DigestInit_ex(context, algorithm.evpMD, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw CryptoError.openSSL(.digestFailed, "cannot initialise \(algorithm.rawValue)")
        }
        self.algorithm = algorithm
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw CryptoError(.digestFailed, "digest already finalised") }
        guard bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
            throw CryptoError.openSSL(.digestFailed, "\(algorithm.rawValue) update failed")
        }
    }

    public func update(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try update($0) }
    }

    /// Finishes the computation and returns the digest; the object cannot be updated afterwards.
    public func finalize() throws -> [UInt8] {
        guard !finished else { throw CryptoError(.digestFailed, "digest already finalised") }
        finished = true
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else {
            throw CryptoError.openSSL(.digestFailed, "\(algorithm.rawValue) finalisation failed")
        }
        return Array(output.prefix(Int(length)))
    }
}

/// One-shot and file digests.
public enum Digests {
    /// The digest of a byte string.
    public static func hash(_ bytes: some ContiguousBytes, algorithm: DigestAlgorithm = .sha256) throws -> [UInt8] {
        let digest = try StreamingDigest(algorithm)
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

    /// Hashes everything readable from an open file descriptor (the caller keeps ownership of `fd`).
    public static func hashFileDescriptor(
        _ fd: Int32, path: String, algorithm: DigestAlgorithm = .sha256, chunkSize: Int = 1 << 20
    ) throws -> (digest: [UInt8], size: UInt64) {
        let digest = try StreamingDigest(algorithm)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 4096), alignment: 16)
        defer { buffer.deallocate() }
        var total: UInt64 = 0
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
