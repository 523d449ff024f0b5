import Foundation
import Testing

@testable import AuditCrypto

/// The official BLAKE3 vectors (`Tests/Vectors/blake3/test_vectors.json`) and `b3sum`'s digests of larger inputs,
/// through every path: one-shot, streaming in odd pieces, multi-core, and files.
@Suite("BLAKE3")
struct BLAKE3Tests {
    /// `<root>/Tests/Vectors/blake3`, where this file is `<root>/Tests/AuditCryptoTests/BLAKE3Tests.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/blake3", isDirectory: true)

    /// The vectors' input: 0, 1, …, 250, 0, 1, ….
    static func pattern(_ length: Int) -> [UInt8] {
        (0..<length).map { UInt8($0 % 251) }
    }

    static func vectors() throws -> [BLAKE3Vector] {
        let data = try Data(contentsOf: directory.appendingPathComponent("test_vectors.json"))
        return try JSONDecoder().decode(BLAKE3VectorFile.self, from: data).cases
    }

    /// `b3sum-large.txt`: `<hex>  <length>` per line.
    static func largeInputs() throws -> [(length: Int, digest: String)] {
        let text = try String(contentsOf: directory.appendingPathComponent("b3sum-large.txt"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2, let length = Int(fields[1]) else { return nil }
            return (length, String(fields[0]))
        }
    }

    @Test("every official vector, one-shot, with the full extended output")
    func oneShot() throws {
        let cases = try Self.vectors()
        #expect(cases.count == 35, "the vector file has \(cases.count) cases")
        for vector in cases {
            let expected = vector.hash
            let input = Self.pattern(vector.inputLength)
            let extended = Hex.encode(BLAKE3.hash(input, byteCount: expected.count / 2))
            #expect(extended == expected, "input length \(vector.inputLength): extended output")
            #expect(
                Hex.encode(BLAKE3.hash(input)) == String(expected.prefix(64)),
                "input length \(vector.inputLength): 32-byte digest")
        }
    }

    @Test("every official vector, streamed in odd-sized pieces", arguments: [1, 7, 63, 65, 1023, 1025, 4097])
    func streaming(firstPiece: Int) throws {
        for vector in try Self.vectors() {
            let input = Self.pattern(vector.inputLength)
            let hasher = BLAKE3Hasher()
            var position = 0
            var piece = firstPiece
            while position < input.count {
                let end = min(input.count, position + piece)
                input[position..<end].withUnsafeBytes { hasher.update($0) }
                position = end
                // Vary the piece size so updates end on and off block and chunk boundaries.
                piece = piece * 5 % 3001 + 1
            }
            #expect(
                Hex.encode(hasher.finalize()) == String(vector.hash.prefix(64)),
                "input length \(vector.inputLength), first piece \(firstPiece)")
        }
    }

    @Test("through StreamingDigest and Digests.hash, BLAKE3 gives the vectors' digests")
    func streamingDigest() throws {
        for vector in try Self.vectors() {
            let input = Self.pattern(vector.inputLength)
            let digest = try StreamingDigest(.blake3)
            let half = input.count / 2
            try digest.update(Array(input[..<half]))
            try digest.update(Array(input[half...]))
            let expected = String(vector.hash.prefix(64))
            #expect(Hex.encode(try digest.finalize()) == expected, "input length \(vector.inputLength)")
            #expect(Hex.encode(try Digests.hash(input, algorithm: .blake3)) == expected)
        }
        #expect(DigestAlgorithm.blake3.byteCount == 32)
        #expect(DigestAlgorithm(rawValue: "blake3") == .blake3)
    }

    @Test("inputs above the multi-core threshold: single thread, all cores and b3sum agree")
    func multiCore() throws {
        let inputs = try Self.largeInputs()
        #expect(inputs.count == 3)
        for (length, expected) in inputs {
            #expect(length > 2 * BLAKE3.parallelPieceMinimum, "\(length) does not reach the multi-core path")
            let input = Self.pattern(length)
            let single = Hex.encode(BLAKE3.hash(input, multithreaded: false))
            let multi = Hex.encode(BLAKE3.hash(input, multithreaded: true))
            #expect(single == expected, "length \(length), one thread")
            #expect(multi == expected, "length \(length), all cores")
        }
    }

    @Test("a file above the threshold hashes on all cores to b3sum's digest, from any starting offset")
    func files() throws {
        let scratch = try ScratchFile()
        let inputs = try Self.largeInputs()
        #expect(inputs.filter { UInt64($0.length) >= BLAKE3FileHashing.threshold }.count >= 2)
        for (length, expected) in inputs {
            let input = Self.pattern(length)
            try scratch.write(input)
            let (digest, size) = try Digests.hashFile(atPath: scratch.path, algorithm: .blake3)
            #expect(Hex.encode(digest) == expected, "length \(length)")
            #expect(size == UInt64(length))

            // From an offset: what is left of the file after 5 bytes were read by someone else.
            let fd = open(scratch.path, O_RDONLY)
            #expect(fd >= 0)
            defer { close(fd) }
            #expect(lseek(fd, 5, SEEK_SET) == 5)
            let (rest, restSize) = try Digests.hashFileDescriptor(fd, path: scratch.path, algorithm: .blake3)
            #expect(Hex.encode(rest) == Hex.encode(BLAKE3.hash(Array(input[5...]))), "length \(length) from 5")
            #expect(restSize == UInt64(length - 5))
        }
    }

    @Test("the hasher refuses nothing it can hash: empty updates change nothing")
    func emptyUpdates() throws {
        let hasher = BLAKE3Hasher()
        hasher.update([UInt8]())
        hasher.update(Self.pattern(3))
        hasher.update([UInt8]())
        let expected = try #require(try Self.vectors().first { $0.inputLength == 3 })
        #expect(Hex.encode(hasher.finalize()) == String(expected.hash.prefix(64)))
    }
}

@Suite("Digests: BLAKE2b and byte ranges")
struct DigestTests {
    @Test("BLAKE2b-512 through OpenSSL matches the RFC 7693 example")
    func blake2b() throws {
        #expect(DigestAlgorithm(rawValue: "blake2b") == .blake2b512)
        #expect(DigestAlgorithm.blake2b512.byteCount == 64)
        let abc = try Digests.hash(Array("abc".utf8), algorithm: .blake2b512)
        #expect(
            Hex.encode(abc)
                == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    @Test("a byte range hashes exactly those bytes, for every algorithm", arguments: DigestAlgorithm.allCases)
    func range(algorithm: DigestAlgorithm) throws {
        let scratch = try ScratchFile()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try scratch.write(bytes)
        let fd = open(scratch.path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        for (offset, length) in [(0, 300_000), (0, 0), (1, 1), (4095, 70_001), (299_999, 1), (300_000, 0)] {
            let digest = try Digests.hashFileRange(
                descriptor: fd, offset: UInt64(offset), length: UInt64(length), algorithm: algorithm, bufferSize: 4096)
            let expected = try Digests.hash(Array(bytes[offset..<offset + length]), algorithm: algorithm)
            #expect(digest == expected, "\(algorithm) range \(offset)+\(length)")
        }
        // pread leaves the descriptor's own offset alone.
        #expect(lseek(fd, 0, SEEK_CUR) == 0)
    }

    @Test("a range past the end of the file is an error that names where the file ends")
    func rangePastEnd() throws {
        let scratch = try ScratchFile()
        try scratch.write(Array(repeating: 7, count: 100))
        let fd = open(scratch.path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        do {
            _ = try Digests.hashFileRange(descriptor: fd, offset: 50, length: 51)
            Issue.record("a range past the end was hashed")
        } catch let error as CryptoError {
            #expect(error.kind == .io)
            #expect(error.message.contains("ends at byte 100"), "\(error.message)")
        }
        #expect(throws: CryptoError.self) {
            try Digests.hashFileRange(descriptor: fd, offset: UInt64.max - 1, length: 10)
        }
        #expect(throws: CryptoError.self) { try Digests.hashFileRange(descriptor: -1, offset: 0, length: 1) }
    }
}

/// A temporary file removed when the value goes away.
final class ScratchFile {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("audit-crypto-\(UUID().uuidString)").path
    }

    func write(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct BLAKE3VectorFile: Decodable {
    let cases: [BLAKE3Vector]
}

struct BLAKE3Vector: Decodable {
    let inputLength: Int
    let hash: String

    enum CodingKeys: String, CodingKey {
        case inputLength = "input_len"
        case hash
    }
}

@Suite("BLAKE3 kernels")
struct BLAKE3KernelTests {
    /// 13 chunks take the eight-lane kernel (with AVX2), then the four-lane one, then the one-at-a-time path;
    /// every chaining value must equal the one-at-a-time result, for chunks and for parents.
    @Test("every kernel gives the one-at-a-time chaining values, for chunks and for parents")
    func kernelsAgree() throws {
        let count = 13
        let input = BLAKE3Tests.pattern(count * BLAKE3.chunkLength)
        var batched = [BLAKE3Words](repeating: BLAKE3Words(), count: 2 * count)
        input.withUnsafeBytes { raw in
            batched.withUnsafeMutableBufferPointer { out in
                BLAKE3.chunkCVs(raw.baseAddress!, count: count, counter: 7, output: out.baseAddress!)
                for index in 0..<count {
                    let single = BLAKE3.chunkCV(
                        raw.baseAddress! + index * BLAKE3.chunkLength, counter: 7 + UInt64(index))
                    #expect(out[index] == single, "chunk \(index), AVX2 \(CPUFeatures.hasAVX2)")
                    // A second set of values, so there are 13 parents to merge.
                    out[count + index] = single &+ BLAKE3Words(repeating: UInt32(index))
                }
            }
        }
        let children = batched
        batched.withUnsafeMutableBufferPointer { cvs in BLAKE3.mergePairs(cvs.baseAddress!, count: 2 * count) }
        for index in 0..<count {
            let expected = BLAKE3.parentCV(children[2 * index], children[2 * index + 1])
            #expect(batched[index] == expected, "parent \(index), AVX2 \(CPUFeatures.hasAVX2)")
        }
    }
}

/// The SIMD kernels against the one-at-a-time path on pseudo-random bytes, where a word moved to the wrong lane or
/// position cannot go unnoticed (the vectors' repeating 0…250 pattern makes many blocks look alike).
@Suite("BLAKE3 kernels on random data")
struct BLAKE3RandomKernelTests {
    /// Reproducible pseudo-random bytes (SplitMix64).
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            withUnsafeBytes(of: (z ^ (z >> 31)).littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// Streaming in pieces of at most one chunk never reaches the SIMD kernels, so it is the reference.
    static func oneChunkAtATime(_ bytes: [UInt8]) -> [UInt8] {
        let hasher = BLAKE3Hasher()
        var start = 0
        while start < bytes.count {
            let end = min(start + 1000, bytes.count)
            bytes[start..<end].withUnsafeBytes { hasher.update($0) }
            start = end
        }
        return hasher.finalize()
    }

    @Test("chunk chaining values from the kernels equal one-at-a-time ones, also across a 2^32 chunk counter")
    func chunks() throws {
        let count = 8 * 3 + 5
        let input = Self.randomBytes(count * BLAKE3.chunkLength, seed: 1)
        for counter: UInt64 in [0, 0xFFFF_FFFC, 0x1_2345_6789] {
            var batched = [BLAKE3Words](repeating: BLAKE3Words(), count: count)
            input.withUnsafeBytes { raw in
                batched.withUnsafeMutableBufferPointer { out in
                    BLAKE3.chunkCVs(raw.baseAddress!, count: count, counter: counter, output: out.baseAddress!)
                }
                for index in 0..<count {
                    let single = BLAKE3.chunkCV(
                        raw.baseAddress! + index * BLAKE3.chunkLength, counter: counter + UInt64(index))
                    #expect(batched[index] == single, "chunk \(index), counter \(counter), AVX2 \(CPUFeatures.hasAVX2)")
                }
            }
        }
    }

    @Test("parents merged by the kernels equal one-at-a-time parents")
    func parents() throws {
        let count = 2 * (8 * 2 + 7)
        let words = Self.randomBytes(count * 32, seed: 2).withUnsafeBytes { raw in
            (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 32, as: BLAKE3Words.self) }
        }
        var merged = words
        merged.withUnsafeMutableBufferPointer { cvs in BLAKE3.mergePairs(cvs.baseAddress!, count: count) }
        for index in 0..<count / 2 {
            #expect(merged[index] == BLAKE3.parentCV(words[2 * index], words[2 * index + 1]), "parent \(index)")
        }
    }

    @Test("one-shot digests equal chunk-at-a-time ones for lengths around block, chunk and eight-chunk boundaries")
    func lengths() throws {
        let input = Self.randomBytes(130 * BLAKE3.chunkLength + 65, seed: 3)
        var lengths: [Int] = []
        for chunks in [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64, 65, 127, 128, 129, 130] {
            for delta in [-65, -64, -63, -1, 0, 1, 63, 64, 65] where chunks * BLAKE3.chunkLength + delta > 0 {
                lengths.append(chunks * BLAKE3.chunkLength + delta)
            }
        }
        for length in lengths {
            let bytes = Array(input.prefix(length))
            #expect(BLAKE3.hash(bytes) == Self.oneChunkAtATime(bytes), "length \(length)")
        }
    }
}
