import Dispatch
import Foundation

#if _endian(big)
// The chunk and parent kernels read message words with native loads; BLAKE3 defines them little-endian.
#error("BLAKE3.swift assumes a little-endian target")
#endif

/// BLAKE3 in its plain hash mode (no key, no key derivation), written from the BLAKE3 specification.
///
/// The input is cut into 1024-byte chunks, each compressed block by block, and the chunks' chaining values are
/// merged in a binary tree. Whole chunks and parent nodes are compressed several at once, one per SIMD lane
/// (the "hash many" layout: lane *i* holds word *w* of input *i*), and with `multithreaded` a large aligned subtree
/// is cut into power-of-two pieces hashed on all cores, then merged. Either way the digest is the same.
public enum BLAKE3 {
    /// The default digest length in bytes.
    public static let outputByteCount = 32
    static let chunkLength = 1024
    static let blockLength = 64

    /// The digest of `bytes`; `byteCount` beyond 32 reads more of BLAKE3's extendable output.
    public static func hash(
        _ bytes: UnsafeRawBufferPointer, byteCount: Int = outputByteCount, multithreaded: Bool = false
    ) -> [UInt8] {
        let hasher = BLAKE3Hasher(multithreaded: multithreaded)
        hasher.update(bytes)
        return hasher.finalize(byteCount: byteCount)
    }

    public static func hash(
        _ bytes: some ContiguousBytes, byteCount: Int = outputByteCount, multithreaded: Bool = false
    ) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0, byteCount: byteCount, multithreaded: multithreaded) }
    }
}

/// A chaining value or key: eight 32-bit words.
typealias BLAKE3Words = SIMD8<UInt32>

/// The domain flags of a compression.
enum BLAKE3Flag {
    static let chunkStart: UInt32 = 1 << 0
    static let chunkEnd: UInt32 = 1 << 1
    static let parent: UInt32 = 1 << 2
    static let root: UInt32 = 1 << 3
}

extension BLAKE3 {
    /// The initial chaining value (the same constants as SHA-256's initial hash value).
    static let iv = BLAKE3Words(
        0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19)

    /// Below this many bytes a subtree is hashed on the calling thread: splitting it costs more than it saves.
    static let parallelPieceMinimum = 256 * 1024

    /// Chunks compressed at once by the SIMD kernels: four 32-bit lanes fill one SSE2 or NEON register, and the
    /// kernel's 16 state vectors then fit the 16 vector registers those targets have.
    static let lanes = Lanes.scalarCount
    typealias Lanes = SIMD4<UInt32>
}

// MARK: - One compression (rows of four words, diagonals by lane rotation)

extension BLAKE3 {
    /// Rotates every lane right by `n`. The halves share no bits, so `&+` equals `|`; written with `|`, LLVM
    /// recognises a rotate that SSE2 lacks and falls back to one scalar `rol` per lane, several times slower.
    @inline(__always)
    static func rotateRight(_ x: SIMD4<UInt32>, _ n: UInt32) -> SIMD4<UInt32> {
        (x &>> n) &+ (x &<< (32 - n))
    }

    /// The full 16-word state after compressing one block, before the feed-forward of the chaining value.
    @inline(__always)
    static func compressRows(
        _ cv: BLAKE3Words, _ block: SIMD16<UInt32>, counter: UInt64, blockLength: UInt32, flags: UInt32
    ) -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        var a = cv.lowHalf
        var b = cv.highHalf
        var c = iv.lowHalf
        var d = SIMD4<UInt32>(UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32),
            blockLength, flags)
        var m = block
        for round in 0..<7 {
            // Columns: G on (0,4,8,12) … (3,7,11,15) with message words 0..7.
            a = a &+ b &+ SIMD4(m[0], m[2], m[4], m[6])
            d = rotateRight(d ^ a, 16)
            c = c &+ d
            b = rotateRight(b ^ c, 12)
            a = a &+ b &+ SIMD4(m[1], m[3], m[5], m[7])
            d = rotateRight(d ^ a, 8)
            c = c &+ d
            b = rotateRight(b ^ c, 7)
            // Diagonals: rotate rows b, c, d left by 1, 2, 3 lanes so each diagonal becomes a column.
            b = SIMD4(b[1], b[2], b[3], b[0])
            c = SIMD4(c[2], c[3], c[0], c[1])
            d = SIMD4(d[3], d[0], d[1], d[2])
            a = a &+ b &+ SIMD4(m[8], m[10], m[12], m[14])
            d = rotateRight(d ^ a, 16)
            c = c &+ d
            b = rotateRight(b ^ c, 12)
            a = a &+ b &+ SIMD4(m[9], m[11], m[13], m[15])
            d = rotateRight(d ^ a, 8)
            c = c &+ d
            b = rotateRight(b ^ c, 7)
            b = SIMD4(b[3], b[0], b[1], b[2])
            c = SIMD4(c[2], c[3], c[0], c[1])
            d = SIMD4(d[1], d[2], d[3], d[0])
            if round < 6 { m = permute(m) }
        }
        return (a, b, c, d)
    }

    /// The message word permutation applied between rounds.
    @inline(__always)
    static func permute(_ m: SIMD16<UInt32>) -> SIMD16<UInt32> {
        SIMD16(
            m[2], m[6], m[3], m[10], m[7], m[0], m[4], m[13], m[1], m[11], m[12], m[5], m[9], m[14], m[15], m[8])
    }

    /// The chaining value a compression yields.
    static func compress(
        _ cv: BLAKE3Words, _ block: SIMD16<UInt32>, counter: UInt64, blockLength: UInt32, flags: UInt32
    ) -> BLAKE3Words {
        let (a, b, c, d) = compressRows(cv, block, counter: counter, blockLength: blockLength, flags: flags)
        return BLAKE3Words(lowHalf: a ^ c, highHalf: b ^ d)
    }

    /// All 64 output bytes of a compression, as the root node's extendable output uses them.
    static func compressExtended(
        _ cv: BLAKE3Words, _ block: SIMD16<UInt32>, counter: UInt64, blockLength: UInt32, flags: UInt32
    ) -> SIMD16<UInt32> {
        let (a, b, c, d) = compressRows(cv, block, counter: counter, blockLength: blockLength, flags: flags)
        return SIMD16(
            lowHalf: BLAKE3Words(lowHalf: a ^ c, highHalf: b ^ d),
            highHalf: BLAKE3Words(lowHalf: c ^ cv.lowHalf, highHalf: d ^ cv.highHalf))
    }

    /// A 64-byte block read from `pointer` (words little-endian).
    @inline(__always)
    static func loadBlock(_ pointer: UnsafeRawPointer) -> SIMD16<UInt32> {
        pointer.loadUnaligned(as: SIMD16<UInt32>.self)
    }

    /// The chaining value of one whole chunk (1024 bytes at `pointer`) that is not the root.
    static func chunkCV(_ pointer: UnsafeRawPointer, counter: UInt64) -> BLAKE3Words {
        var cv = iv
        for index in 0..<(chunkLength / blockLength) {
            var flags: UInt32 = 0
            if index == 0 { flags |= BLAKE3Flag.chunkStart }
            if index == chunkLength / blockLength - 1 { flags |= BLAKE3Flag.chunkEnd }
            cv = compress(
                cv, loadBlock(pointer + index * blockLength), counter: counter, blockLength: UInt32(blockLength),
                flags: flags)
        }
        return cv
    }

    /// The chaining value of a parent node that is not the root.
    static func parentCV(_ left: BLAKE3Words, _ right: BLAKE3Words) -> BLAKE3Words {
        compress(
            iv, SIMD16(lowHalf: left, highHalf: right), counter: 0, blockLength: UInt32(blockLength),
            flags: BLAKE3Flag.parent)
    }
}

// MARK: - Many inputs at once, one per SIMD lane

extension BLAKE3 {


    @inline(__always)
    static func mix(_ a: inout Lanes, _ b: inout Lanes, _ c: inout Lanes, _ d: inout Lanes, _ x: Lanes, _ y: Lanes) {
        a = a &+ b &+ x
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 12)
        a = a &+ b &+ y
        d = rotateRight(d ^ a, 8)
        c = c &+ d
        b = rotateRight(b ^ c, 7)
    }

    /// The seven rounds on transposed state, unrolled: each round's message words are the previous round's under
    /// the permutation, written out here so no vector is moved between rounds.
    @inline(__always)
    static func rounds(
        _ v0: inout Lanes, _ v1: inout Lanes, _ v2: inout Lanes, _ v3: inout Lanes, _ v4: inout Lanes,
        _ v5: inout Lanes, _ v6: inout Lanes, _ v7: inout Lanes, _ v8: inout Lanes, _ v9: inout Lanes,
        _ v10: inout Lanes, _ v11: inout Lanes, _ v12: inout Lanes, _ v13: inout Lanes, _ v14: inout Lanes,
        _ v15: inout Lanes, _ m: LaneBlock
    ) {
        // Round 1.
        mix(&v0, &v4, &v8, &v12, m.w0, m.w1)
        mix(&v1, &v5, &v9, &v13, m.w2, m.w3)
        mix(&v2, &v6, &v10, &v14, m.w4, m.w5)
        mix(&v3, &v7, &v11, &v15, m.w6, m.w7)
        mix(&v0, &v5, &v10, &v15, m.w8, m.w9)
        mix(&v1, &v6, &v11, &v12, m.w10, m.w11)
        mix(&v2, &v7, &v8, &v13, m.w12, m.w13)
        mix(&v3, &v4, &v9, &v14, m.w14, m.w15)
        // Round 2.
        mix(&v0, &v4, &v8, &v12, m.w2, m.w6)
        mix(&v1, &v5, &v9, &v13, m.w3, m.w10)
        mix(&v2, &v6, &v10, &v14, m.w7, m.w0)
        mix(&v3, &v7, &v11, &v15, m.w4, m.w13)
        mix(&v0, &v5, &v10, &v15, m.w1, m.w11)
        mix(&v1, &v6, &v11, &v12, m.w12, m.w5)
        mix(&v2, &v7, &v8, &v13, m.w9, m.w14)
        mix(&v3, &v4, &v9, &v14, m.w15, m.w8)
        // Round 3.
        mix(&v0, &v4, &v8, &v12, m.w3, m.w4)
        mix(&v1, &v5, &v9, &v13, m.w10, m.w12)
        mix(&v2, &v6, &v10, &v14, m.w13, m.w2)
        mix(&v3, &v7, &v11, &v15, m.w7, m.w14)
        mix(&v0, &v5, &v10, &v15, m.w6, m.w5)
        mix(&v1, &v6, &v11, &v12, m.w9, m.w0)
        mix(&v2, &v7, &v8, &v13, m.w11, m.w15)
        mix(&v3, &v4, &v9, &v14, m.w8, m.w1)
        // Round 4.
        mix(&v0, &v4, &v8, &v12, m.w10, m.w7)
        mix(&v1, &v5, &v9, &v13, m.w12, m.w9)
        mix(&v2, &v6, &v10, &v14, m.w14, m.w3)
        mix(&v3, &v7, &v11, &v15, m.w13, m.w15)
        mix(&v0, &v5, &v10, &v15, m.w4, m.w0)
        mix(&v1, &v6, &v11, &v12, m.w11, m.w2)
        mix(&v2, &v7, &v8, &v13, m.w5, m.w8)
        mix(&v3, &v4, &v9, &v14, m.w1, m.w6)
        // Round 5.
        mix(&v0, &v4, &v8, &v12, m.w12, m.w13)
        mix(&v1, &v5, &v9, &v13, m.w9, m.w11)
        mix(&v2, &v6, &v10, &v14, m.w15, m.w10)
        mix(&v3, &v7, &v11, &v15, m.w14, m.w8)
        mix(&v0, &v5, &v10, &v15, m.w7, m.w2)
        mix(&v1, &v6, &v11, &v12, m.w5, m.w3)
        mix(&v2, &v7, &v8, &v13, m.w0, m.w1)
        mix(&v3, &v4, &v9, &v14, m.w6, m.w4)
        // Round 6.
        mix(&v0, &v4, &v8, &v12, m.w9, m.w14)
        mix(&v1, &v5, &v9, &v13, m.w11, m.w5)
        mix(&v2, &v6, &v10, &v14, m.w8, m.w12)
        mix(&v3, &v7, &v11, &v15, m.w15, m.w1)
        mix(&v0, &v5, &v10, &v15, m.w13, m.w3)
        mix(&v1, &v6, &v11, &v12, m.w0, m.w10)
        mix(&v2, &v7, &v8, &v13, m.w2, m.w6)
        mix(&v3, &v4, &v9, &v14, m.w4, m.w7)
        // Round 7.
        mix(&v0, &v4, &v8, &v12, m.w11, m.w15)
        mix(&v1, &v5, &v9, &v13, m.w5, m.w0)
        mix(&v2, &v6, &v10, &v14, m.w1, m.w9)
        mix(&v3, &v7, &v11, &v15, m.w8, m.w6)
        mix(&v0, &v5, &v10, &v15, m.w14, m.w10)
        mix(&v1, &v6, &v11, &v12, m.w2, m.w12)
        mix(&v2, &v7, &v8, &v13, m.w3, m.w4)
        mix(&v3, &v4, &v9, &v14, m.w7, m.w13)
    }

    /// Compresses `lanes` inputs side by side and writes their chaining values to `output`.
    ///
    /// Input *i* starts at `base + i * stride` and is `blocks` blocks long; its counter is `counter + i * step`
    /// (chunk index for chunks, 0 for parents); `firstFlags`/`lastFlags` are added on its first/last block.
    @inline(__always)
    static func compressLanes(
        _ base: UnsafeRawPointer, stride: Int, blocks: Int, counter: UInt64, counterStep: UInt64,
        flags: UInt32, firstFlags: UInt32, lastFlags: UInt32, output: UnsafeMutablePointer<BLAKE3Words>
    ) {
        var h0 = Lanes(repeating: iv[0]), h1 = Lanes(repeating: iv[1])
        var h2 = Lanes(repeating: iv[2]), h3 = Lanes(repeating: iv[3])
        var h4 = Lanes(repeating: iv[4]), h5 = Lanes(repeating: iv[5])
        var h6 = Lanes(repeating: iv[6]), h7 = Lanes(repeating: iv[7])
        let c0 = counter, c1 = counter &+ counterStep
        let c2 = counter &+ 2 &* counterStep, c3 = counter &+ 3 &* counterStep
        let counterLow = Lanes(
            UInt32(truncatingIfNeeded: c0), UInt32(truncatingIfNeeded: c1), UInt32(truncatingIfNeeded: c2),
            UInt32(truncatingIfNeeded: c3))
        let counterHigh = Lanes(
            UInt32(truncatingIfNeeded: c0 >> 32), UInt32(truncatingIfNeeded: c1 >> 32),
            UInt32(truncatingIfNeeded: c2 >> 32), UInt32(truncatingIfNeeded: c3 >> 32))
        for block in 0..<blocks {
            let offset = block * blockLength
            // Transpose: word w of every lane's block into one vector, a 4×4 block of words at a time.
            let rows = (
                loadBlock(base + offset), loadBlock(base + stride + offset),
                loadBlock(base + 2 * stride + offset), loadBlock(base + 3 * stride + offset)
            )
            let words = LaneBlock(
                w0: Lanes(rows.0[0], rows.1[0], rows.2[0], rows.3[0]),
                w1: Lanes(rows.0[1], rows.1[1], rows.2[1], rows.3[1]),
                w2: Lanes(rows.0[2], rows.1[2], rows.2[2], rows.3[2]),
                w3: Lanes(rows.0[3], rows.1[3], rows.2[3], rows.3[3]),
                w4: Lanes(rows.0[4], rows.1[4], rows.2[4], rows.3[4]),
                w5: Lanes(rows.0[5], rows.1[5], rows.2[5], rows.3[5]),
                w6: Lanes(rows.0[6], rows.1[6], rows.2[6], rows.3[6]),
                w7: Lanes(rows.0[7], rows.1[7], rows.2[7], rows.3[7]),
                w8: Lanes(rows.0[8], rows.1[8], rows.2[8], rows.3[8]),
                w9: Lanes(rows.0[9], rows.1[9], rows.2[9], rows.3[9]),
                w10: Lanes(rows.0[10], rows.1[10], rows.2[10], rows.3[10]),
                w11: Lanes(rows.0[11], rows.1[11], rows.2[11], rows.3[11]),
                w12: Lanes(rows.0[12], rows.1[12], rows.2[12], rows.3[12]),
                w13: Lanes(rows.0[13], rows.1[13], rows.2[13], rows.3[13]),
                w14: Lanes(rows.0[14], rows.1[14], rows.2[14], rows.3[14]),
                w15: Lanes(rows.0[15], rows.1[15], rows.2[15], rows.3[15]))
            var blockFlags = flags
            if block == 0 { blockFlags |= firstFlags }
            if block == blocks - 1 { blockFlags |= lastFlags }
            var v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7
            var v8 = Lanes(repeating: iv[0]), v9 = Lanes(repeating: iv[1])
            var v10 = Lanes(repeating: iv[2]), v11 = Lanes(repeating: iv[3])
            var v12 = counterLow, v13 = counterHigh
            var v14 = Lanes(repeating: UInt32(blockLength)), v15 = Lanes(repeating: blockFlags)
            rounds(&v0, &v1, &v2, &v3, &v4, &v5, &v6, &v7, &v8, &v9, &v10, &v11, &v12, &v13, &v14, &v15, words)
            h0 = v0 ^ v8
            h1 = v1 ^ v9
            h2 = v2 ^ v10
            h3 = v3 ^ v11
            h4 = v4 ^ v12
            h5 = v5 ^ v13
            h6 = v6 ^ v14
            h7 = v7 ^ v15
        }
        output[0] = BLAKE3Words(h0[0], h1[0], h2[0], h3[0], h4[0], h5[0], h6[0], h7[0])
        output[1] = BLAKE3Words(h0[1], h1[1], h2[1], h3[1], h4[1], h5[1], h6[1], h7[1])
        output[2] = BLAKE3Words(h0[2], h1[2], h2[2], h3[2], h4[2], h5[2], h6[2], h7[2])
        output[3] = BLAKE3Words(h0[3], h1[3], h2[3], h3[3], h4[3], h5[3], h6[3], h7[3])
    }

    /// One block of every lane, transposed: `wN` holds message word N of each lane.
    struct LaneBlock {
        var w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15: Lanes
    }

    /// Chaining values of `count` whole chunks at `pointer`, the first with index `counter`.
    static func chunkCVs(
        _ pointer: UnsafeRawPointer, count: Int, counter: UInt64, output: UnsafeMutablePointer<BLAKE3Words>
    ) {
        var done = 0
        while count - done >= lanes {
            compressLanes(
                pointer + done * chunkLength, stride: chunkLength, blocks: chunkLength / blockLength,
                counter: counter + UInt64(done), counterStep: 1, flags: 0, firstFlags: BLAKE3Flag.chunkStart,
                lastFlags: BLAKE3Flag.chunkEnd, output: output + done)
            done += lanes
        }
        while done < count {
            output[done] = chunkCV(pointer + done * chunkLength, counter: counter + UInt64(done))
            done += 1
        }
    }

    /// Replaces `count` (even) chaining values with the `count / 2` parents of adjacent pairs, in place.
    static func mergePairs(_ cvs: UnsafeMutablePointer<BLAKE3Words>, count: Int) {
        let parents = count / 2
        var done = 0
        if parents >= lanes {
            withUnsafeTemporaryAllocation(of: BLAKE3Words.self, capacity: lanes) { batch in
                guard let out = batch.baseAddress else { return }
                while parents - done >= lanes {
                    // Parent i reads CVs 2i and 2i+1, at or after slot i: results go through `batch` so no lane
                    // reads a slot that an earlier write of the same batch has overwritten.
                    compressLanes(
                        UnsafeRawPointer(cvs + 2 * done), stride: 2 * MemoryLayout<BLAKE3Words>.stride, blocks: 1,
                        counter: 0, counterStep: 0, flags: BLAKE3Flag.parent, firstFlags: 0, lastFlags: 0,
                        output: out)
                    (cvs + done).update(from: out, count: lanes)
                    done += lanes
                }
            }
        }
        while done < parents {
            cvs[done] = parentCV(cvs[2 * done], cvs[2 * done + 1])
            done += 1
        }
    }

    /// The chaining value of a non-root subtree of `chunks` (a power of two) whole chunks, on this thread.
    static func subtreeCV(_ pointer: UnsafeRawPointer, chunks: Int, counter: UInt64) -> BLAKE3Words {
        // Up to 1024 chunks (1 MiB) the level-by-level merge fits a small buffer; above, halves recurse.
        let leafChunks = 1024
        if chunks > leafChunks {
            let half = chunks / 2
            let left = subtreeCV(pointer, chunks: half, counter: counter)
            let right = subtreeCV(pointer + half * chunkLength, chunks: half, counter: counter + UInt64(half))
            return parentCV(left, right)
        }
        return withUnsafeTemporaryAllocation(of: BLAKE3Words.self, capacity: chunks) { buffer -> BLAKE3Words in
            guard let cvs = buffer.baseAddress else { return iv }
            chunkCVs(pointer, count: chunks, counter: counter, output: cvs)
            var count = chunks
            while count > 1 {
                mergePairs(cvs, count: count)
                count /= 2
            }
            return cvs[0]
        }
    }

    /// `subtreeCV` with the subtree cut into power-of-two pieces hashed on all cores.
    static func parallelSubtreeCV(_ pointer: UnsafeRawPointer, chunks: Int, counter: UInt64) -> BLAKE3Words {
        var pieces = 1
        let cores = ProcessInfo.activeCores
        while pieces < cores, chunks / (pieces * 2) * chunkLength >= parallelPieceMinimum { pieces *= 2 }
        guard pieces > 1 else { return subtreeCV(pointer, chunks: chunks, counter: counter) }
        let pieceChunks = chunks / pieces
        let results = UnsafeMutablePointer<BLAKE3Words>.allocate(capacity: pieces)
        defer { results.deallocate() }
        let shared = SendablePointers(input: pointer, output: results)
        DispatchQueue.concurrentPerform(iterations: pieces) { piece in
            shared.output[piece] = subtreeCV(
                shared.input + piece * pieceChunks * chunkLength, chunks: pieceChunks,
                counter: counter + UInt64(piece * pieceChunks))
        }
        var count = pieces
        while count > 1 {
            mergePairs(results, count: count)
            count /= 2
        }
        return results[0]
    }
}

/// Raw pointers handed to worker threads, each of which touches only its own slice.
private struct SendablePointers: @unchecked Sendable {
    let input: UnsafeRawPointer
    let output: UnsafeMutablePointer<BLAKE3Words>
}

// MARK: - The streaming hasher

/// An incremental BLAKE3 computation: feed bytes in any pieces, then finalize once.
///
/// Whole chunks are compressed as soon as more input follows them; the chaining values of finished subtrees wait
/// on a stack and are merged lazily, so the root node is only compressed (with the root flag) at finalization.
/// Not thread-safe: one hasher belongs to one task at a time (with `multithreaded` it uses other threads inside
/// `update`, and has joined them again before `update` returns).
public final class BLAKE3Hasher {
    /// Whether large updates are hashed on all cores.
    public let multithreaded: Bool

    // The chunk being filled.
    private var chunkCV = BLAKE3.iv
    private var chunkCounter: UInt64 = 0
    private var block = SIMD16<UInt32>()
    private var blockFill = 0
    private var blocksCompressed = 0
    /// Chaining values of finished subtrees, largest (leftmost) first; at most one per bit of the chunk count.
    private var stack: [BLAKE3Words] = []
    private var finished = false

    public init(multithreaded: Bool = false) {
        self.multithreaded = multithreaded
        stack.reserveCapacity(54)
    }

    private var chunkFill: Int { blocksCompressed * BLAKE3.blockLength + blockFill }

    public func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "BLAKE3Hasher updated after finalize")
        guard var pointer = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        if chunkFill > 0 {
            let take = min(BLAKE3.chunkLength - chunkFill, remaining)
            absorbIntoChunk(pointer, count: take)
            pointer += take
            remaining -= take
            guard remaining > 0 else { return }
            // The chunk is full and more input follows, so it is not the root: finish it.
            push(chunkOutputCV(), chunkCounter: chunkCounter)
            startChunk(chunkCounter + 1)
        }
        // Whole subtrees straight from the input, while more than one chunk is left (the last one might be the
        // root and waits in the chunk state).
        while remaining > BLAKE3.chunkLength {
            var subtreeChunks = 1
            while subtreeChunks * 2 * BLAKE3.chunkLength <= remaining { subtreeChunks *= 2 }
            // A subtree must start at a multiple of its own size to be a node of the tree.
            while chunkCounter & UInt64(subtreeChunks - 1) != 0 { subtreeChunks /= 2 }
            if subtreeChunks == 1 {
                push(BLAKE3.chunkCV(pointer, counter: chunkCounter), chunkCounter: chunkCounter)
            } else {
                // Push the two halves, not their parent: this may be the end of the input, and then their parent
                // is the root.
                let half = subtreeChunks / 2
                let right = pointer + half * BLAKE3.chunkLength
                push(halfCV(pointer, chunks: half, counter: chunkCounter), chunkCounter: chunkCounter)
                push(
                    halfCV(right, chunks: half, counter: chunkCounter + UInt64(half)),
                    chunkCounter: chunkCounter + UInt64(half))
            }
            pointer += subtreeChunks * BLAKE3.chunkLength
            remaining -= subtreeChunks * BLAKE3.chunkLength
            startChunk(chunkCounter + UInt64(subtreeChunks))
        }
        if remaining > 0 {
            absorbIntoChunk(pointer, count: remaining)
            // Input is buffered after everything on the stack, so none of it can be the root: merge what can be.
            mergeStack(chunkCounter: chunkCounter)
        }
    }

    /// Adds the chaining value of a subtree hashed elsewhere: `chunks` (a power of two) whole chunks starting at
    /// the hasher's current position, which must be on a chunk boundary aligned to `chunks`, with more input to
    /// follow.
    func appendSubtree(_ cv: BLAKE3Words, chunks: Int) {
        precondition(chunkFill == 0 && chunkCounter & UInt64(chunks - 1) == 0, "misaligned BLAKE3 subtree")
        push(cv, chunkCounter: chunkCounter)
        startChunk(chunkCounter + UInt64(chunks))
    }

    /// Whether the hasher sits on a chunk boundary (nothing buffered), where `appendSubtree` may be used.
    var isOnChunkBoundary: Bool { chunkFill == 0 }

    /// Chunks hashed or buffered so far, i.e. the index of the chunk being filled.
    var chunksSoFar: UInt64 { chunkCounter }

    /// The digest; `byteCount` beyond 32 reads more of the extendable output. The hasher cannot be used afterwards.
    public func finalize(byteCount: Int = BLAKE3.outputByteCount) -> [UInt8] {
        precondition(!finished, "BLAKE3Hasher finalized twice")
        finished = true
        var root = rootNode()
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        var outputBlock: UInt64 = 0
        while output.count < byteCount {
            let words = BLAKE3.compressExtended(
                root.cv, root.block, counter: outputBlock, blockLength: root.blockLength,
                flags: root.flags | BLAKE3Flag.root)
            withUnsafeBytes(of: words) { output.append(contentsOf: $0.prefix(byteCount - output.count)) }
            outputBlock += 1
        }
        root.cv = BLAKE3Words()
        return output
    }

    // MARK: Internals

    /// A compression not yet done: its inputs, so it can run as an inner node or as the root.
    private struct PendingNode {
        var cv: BLAKE3Words
        var block: SIMD16<UInt32>
        var counter: UInt64
        var blockLength: UInt32
        var flags: UInt32

        var chainingValue: BLAKE3Words {
            BLAKE3.compress(cv, block, counter: counter, blockLength: blockLength, flags: flags)
        }

        static func parent(_ left: BLAKE3Words, _ right: BLAKE3Words) -> PendingNode {
            PendingNode(
                cv: BLAKE3.iv, block: SIMD16(lowHalf: left, highHalf: right), counter: 0,
                blockLength: UInt32(BLAKE3.blockLength), flags: BLAKE3Flag.parent)
        }
    }

    private func halfCV(_ pointer: UnsafeRawPointer, chunks: Int, counter: UInt64) -> BLAKE3Words {
        if multithreaded && chunks * BLAKE3.chunkLength >= 2 * BLAKE3.parallelPieceMinimum {
            return BLAKE3.parallelSubtreeCV(pointer, chunks: chunks, counter: counter)
        }
        return BLAKE3.subtreeCV(pointer, chunks: chunks, counter: counter)
    }

    private func startChunk(_ counter: UInt64) {
        chunkCV = BLAKE3.iv
        chunkCounter = counter
        block = SIMD16()
        blockFill = 0
        blocksCompressed = 0
    }

    /// Copies up to the rest of the current chunk into it, compressing each block once a byte follows it.
    private func absorbIntoChunk(_ pointer: UnsafeRawPointer, count: Int) {
        var pointer = pointer
        var remaining = count
        while remaining > 0 {
            if blockFill == BLAKE3.blockLength {
                chunkCV = BLAKE3.compress(
                    chunkCV, block, counter: chunkCounter, blockLength: UInt32(BLAKE3.blockLength),
                    flags: blocksCompressed == 0 ? BLAKE3Flag.chunkStart : 0)
                blocksCompressed += 1
                block = SIMD16()
                blockFill = 0
            }
            let take = min(BLAKE3.blockLength - blockFill, remaining)
            let fill = blockFill
            withUnsafeMutableBytes(of: &block) { raw in
                UnsafeMutableRawBufferPointer(rebasing: raw[fill..<fill + take])
                    .copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: take))
            }
            blockFill += take
            pointer += take
            remaining -= take
        }
    }

    private func chunkNode() -> PendingNode {
        PendingNode(
            cv: chunkCV, block: block, counter: chunkCounter, blockLength: UInt32(blockFill),
            flags: BLAKE3Flag.chunkEnd | (blocksCompressed == 0 ? BLAKE3Flag.chunkStart : 0))
    }

    private func chunkOutputCV() -> BLAKE3Words { chunkNode().chainingValue }

    /// Pushes the chaining value of the subtree starting at chunk `chunkCounter`, first merging every completed
    /// pair on the stack.
    private func push(_ cv: BLAKE3Words, chunkCounter: UInt64) {
        mergeStack(chunkCounter: chunkCounter)
        stack.append(cv)
    }

    /// Merges completed pairs until the stack holds one value per set bit of `chunkCounter`.
    private func mergeStack(chunkCounter: UInt64) {
        while stack.count > chunkCounter.nonzeroBitCount {
            let right = stack.removeLast()
            let left = stack.removeLast()
            stack.append(BLAKE3.parentCV(left, right))
        }
    }

    /// The node whose compression, with the root flag, gives the output.
    private func rootNode() -> PendingNode {
        guard !stack.isEmpty else { return chunkNode() }
        var node: PendingNode
        var remaining = stack.count
        if chunkFill > 0 || remaining < 2 {
            node = chunkNode()
        } else {
            // The input ended exactly on a subtree boundary: the last two stack values are the root's children.
            node = .parent(stack[remaining - 2], stack[remaining - 1])
            remaining -= 2
        }
        while remaining > 0 {
            node = .parent(stack[remaining - 1], node.chainingValue)
            remaining -= 1
        }
        return node
    }
}

extension ProcessInfo {
    /// Cores available to this process (at least 1).
    static var activeCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
