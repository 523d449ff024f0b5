/// BLAKE3's eight-lane kernel: eight inputs compressed side by side in 256-bit vectors.
///
/// This module exists only to be compiled with AVX2 enabled (see `Package.swift`); Swift has no per-function target
/// attribute, so the eight-lane code needs a module of its own. `AuditCrypto` calls it only after checking that the
/// CPU has AVX2, and otherwise uses its own four-lane kernel, which this one mirrors lane for lane.
public enum BLAKE3EightLanes {
    public typealias Lanes = SIMD8<UInt32>

    /// The BLAKE3 initial chaining value: computed, so that it compiles to constants (a stored global would be
    /// read through a lazy-initialisation check).
    static var iv: Lanes {
        Lanes(0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19)
    }

    /// Compresses eight inputs and writes their eight-word chaining values, input after input, to `output`.
    ///
    /// Input *i* starts at `base + i * stride` and is `blocks` 64-byte blocks long; its counter is
    /// `counter + i * counterStep`; `firstFlags`/`lastFlags` are added on its first/last block.
    public static func compress(
        _ base: UnsafeRawPointer, stride: Int, blocks: Int, counter: UInt64, counterStep: UInt64,
        flags: UInt32, firstFlags: UInt32, lastFlags: UInt32, output: UnsafeMutablePointer<SIMD8<UInt32>>
    ) {
        var h0 = Lanes(repeating: iv[0]), h1 = Lanes(repeating: iv[1])
        var h2 = Lanes(repeating: iv[2]), h3 = Lanes(repeating: iv[3])
        var h4 = Lanes(repeating: iv[4]), h5 = Lanes(repeating: iv[5])
        var h6 = Lanes(repeating: iv[6]), h7 = Lanes(repeating: iv[7])
        var counterLow = Lanes(), counterHigh = Lanes()
        for lane in 0..<8 {
            let value = counter &+ UInt64(lane) &* counterStep
            counterLow[lane] = UInt32(truncatingIfNeeded: value)
            counterHigh[lane] = UInt32(truncatingIfNeeded: value >> 32)
        }
        for block in 0..<blocks {
            let words = transpose(base + block &* 64, stride: stride)
            var blockFlags = flags
            if block == 0 { blockFlags |= firstFlags }
            if block == blocks - 1 { blockFlags |= lastFlags }
            var v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7
            var v8 = Lanes(repeating: iv[0]), v9 = Lanes(repeating: iv[1])
            var v10 = Lanes(repeating: iv[2]), v11 = Lanes(repeating: iv[3])
            var v12 = counterLow, v13 = counterHigh
            var v14 = Lanes(repeating: 64), v15 = Lanes(repeating: blockFlags)
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
        // Back from one vector per word to one chaining value per lane: the same 4×4 interleave, on the low halves
        // (lanes 0…3) and the high halves (lanes 4…7), words 0…3 paired with words 4…7.
        func halves(_ x: Lanes, _ y: Lanes, high: Bool) -> Pairs {
            unsafeBitCast(high ? Lanes(lowHalf: x.highHalf, highHalf: y.highHalf)
                : Lanes(lowHalf: x.lowHalf, highHalf: y.lowHalf), to: Pairs.self)
        }
        let low = interleave(
            halves(h0, h4, high: false), halves(h1, h5, high: false), halves(h2, h6, high: false),
            halves(h3, h7, high: false))
        let high = interleave(
            halves(h0, h4, high: true), halves(h1, h5, high: true), halves(h2, h6, high: true),
            halves(h3, h7, high: true))
        output[0] = low.0
        output[1] = low.1
        output[2] = low.2
        output[3] = low.3
        output[4] = high.0
        output[5] = high.1
        output[6] = high.2
        output[7] = high.3
    }

    /// One block of every lane, transposed: `wN` holds message word N of each lane.
    struct LaneBlock {
        var w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15: Lanes
    }

    /// Word w of the block at `pointer + lane * stride`, for every lane, as one vector per word (little-endian).
    @inline(__always)
    static func transpose(_ pointer: UnsafeRawPointer, stride: Int) -> LaneBlock {
        let q0 = transposeQuarter(pointer, stride: stride)
        let q1 = transposeQuarter(pointer + 16, stride: stride)
        let q2 = transposeQuarter(pointer + 32, stride: stride)
        let q3 = transposeQuarter(pointer + 48, stride: stride)
        return LaneBlock(
            w0: q0.0, w1: q0.1, w2: q0.2, w3: q0.3, w4: q1.0, w5: q1.1, w6: q1.2, w7: q1.3,
            w8: q2.0, w9: q2.1, w10: q2.2, w11: q2.3, w12: q3.0, w13: q3.1, w14: q3.2, w15: q3.3)
    }

    /// Words 0…3 at `pointer + lane * stride` for all eight lanes, one vector per word: an 8×4 transpose.
    @inline(__always)
    static func transposeQuarter(_ pointer: UnsafeRawPointer, stride: Int) -> (Lanes, Lanes, Lanes, Lanes) {
        // Row i: the four words of lane i, then those of lane i + 4 (a load and a `vinserti128`).
        func row(_ lane: Int) -> Pairs {
            Pairs(
                lowHalf: pointer.loadUnaligned(fromByteOffset: lane &* stride, as: SIMD2<UInt64>.self),
                highHalf: pointer.loadUnaligned(fromByteOffset: (lane &+ 4) &* stride, as: SIMD2<UInt64>.self))
        }
        return interleave(row(0), row(1), row(2), row(3))
    }

    /// Word pairs: a vector of eight words seen as four 64-bit elements, for the 64-bit interleaving steps.
    typealias Pairs = SIMD4<UInt64>

    /// Transposes the 4×4 blocks of words in each 128-bit half of four vectors: word j of each half of `a`, `b`,
    /// `c`, `d` becomes the j-th result's words 0…3 of that half.
    ///
    /// Two rounds of two-source interleaves, which LLVM lowers to `vpunpck{l,h}dq` then `vpunpck{l,h}qdq` (one
    /// instruction each). The steps alternate between 32- and 64-bit element views on purpose: with one element
    /// type throughout, LLVM folds the steps together into one eight-source gather per vector, which it compiles
    /// to dozens of broadcasts and blends.
    @inline(__always)
    static func interleave(_ a: Pairs, _ b: Pairs, _ c: Pairs, _ d: Pairs) -> (Lanes, Lanes, Lanes, Lanes) {
        let ab = interleave32(a, b), cd = interleave32(c, d)
        return (
            interleaveLow64(ab.low, cd.low), interleaveHigh64(ab.low, cd.low),
            interleaveLow64(ab.high, cd.high), interleaveHigh64(ab.high, cd.high)
        )
    }

    /// `vpunpckldq`/`vpunpckhdq`: words 0, 1 (`low`) or 2, 3 (`high`) of each 128-bit half of `a` and `b`,
    /// alternating.
    @inline(__always)
    static func interleave32(_ a: Pairs, _ b: Pairs) -> (low: Pairs, high: Pairs) {
        let a = unsafeBitCast(a, to: Lanes.self), b = unsafeBitCast(b, to: Lanes.self)
        return (
            unsafeBitCast(Lanes(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5]), to: Pairs.self),
            unsafeBitCast(Lanes(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7]), to: Pairs.self)
        )
    }

    /// `vpunpcklqdq`: the low word pair of each 128-bit half of `a`, then of `b`.
    @inline(__always)
    static func interleaveLow64(_ a: Pairs, _ b: Pairs) -> Lanes {
        unsafeBitCast(Pairs(a[0], b[0], a[2], b[2]), to: Lanes.self)
    }

    /// `vpunpckhqdq`: the high word pair of each 128-bit half of `a`, then of `b`.
    @inline(__always)
    static func interleaveHigh64(_ a: Pairs, _ b: Pairs) -> Lanes {
        unsafeBitCast(Pairs(a[1], b[1], a[3], b[3]), to: Lanes.self)
    }

    /// Rotates every lane right by `n`. The halves share no bits, so `&+` equals `|`; with `|` LLVM may turn the
    /// pair into a rotate, which x86 vector units lack, and split it into one scalar `rol` per lane.
    @inline(__always)
    static func rotateRight(_ x: Lanes, _ n: UInt32) -> Lanes {
        (x &>> n) &+ (x &<< (32 - n))
    }

    /// Rotates every lane right by 8 bits: a byte shuffle (`vpshufb`).
    ///
    /// Written as a shuffle, not as shifts: LLVM turns shifts by 8 into the same byte shuffle, but then also moves
    /// the rotations across the `^` that feeds them and shuffles both operands. The generated code for a block has
    /// 220 `vpshufb` that way and 168 this way (three per `mix`; two would be ideal).
    @inline(__always)
    static func rotateRight8(_ x: Lanes) -> Lanes {
        let b = unsafeBitCast(x, to: SIMD32<UInt8>.self)
        return unsafeBitCast(
            SIMD32<UInt8>(
                b[1], b[2], b[3], b[0], b[5], b[6], b[7], b[4], b[9], b[10], b[11], b[8], b[13], b[14], b[15], b[12],
                b[17], b[18], b[19], b[16], b[21], b[22], b[23], b[20], b[25], b[26], b[27], b[24], b[29], b[30],
                b[31], b[28]),
            to: Lanes.self)
    }

    @inline(__always)
    static func mix(_ a: inout Lanes, _ b: inout Lanes, _ c: inout Lanes, _ d: inout Lanes, _ x: Lanes, _ y: Lanes) {
        a = a &+ b &+ x
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 12)
        a = a &+ b &+ y
        d = rotateRight8(d ^ a)
        c = c &+ d
        b = rotateRight(b ^ c, 7)
    }

    /// The seven rounds, unrolled with each round's message words already permuted.
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
}
