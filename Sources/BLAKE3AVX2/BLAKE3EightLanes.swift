/// BLAKE3's eight-lane kernel: eight inputs compressed side by side in 256-bit vectors.
///
/// This module exists only to be compiled with AVX2 enabled (see `Package.swift`); Swift has no per-function target
/// attribute, so the eight-lane code needs a module of its own. `AuditCrypto` calls it only after checking that the
/// CPU has AVX2, and otherwise uses its own four-lane kernel, which this one mirrors lane for lane.
public enum BLAKE3EightLanes {
    public typealias Lanes = SIMD8<UInt32>

    /// The BLAKE3 initial chaining value.
    static let iv: [UInt32] = [
        0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A, 0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19,
    ]

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
            let words = transpose(base + block * 64, stride: stride)
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
        for lane in 0..<8 {
            output[lane] = SIMD8(h0[lane], h1[lane], h2[lane], h3[lane], h4[lane], h5[lane], h6[lane], h7[lane])
        }
    }

    /// One block of every lane, transposed: `wN` holds message word N of each lane.
    struct LaneBlock {
        var w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15: Lanes
    }

    /// Word w of the block at `pointer + lane * stride`, for every lane, as one vector per word (little-endian).
    @inline(__always)
    static func transpose(_ pointer: UnsafeRawPointer, stride: Int) -> LaneBlock {
        let r0 = pointer.loadUnaligned(fromByteOffset: 0 * stride, as: SIMD16<UInt32>.self)
        let r1 = pointer.loadUnaligned(fromByteOffset: 1 * stride, as: SIMD16<UInt32>.self)
        let r2 = pointer.loadUnaligned(fromByteOffset: 2 * stride, as: SIMD16<UInt32>.self)
        let r3 = pointer.loadUnaligned(fromByteOffset: 3 * stride, as: SIMD16<UInt32>.self)
        let r4 = pointer.loadUnaligned(fromByteOffset: 4 * stride, as: SIMD16<UInt32>.self)
        let r5 = pointer.loadUnaligned(fromByteOffset: 5 * stride, as: SIMD16<UInt32>.self)
        let r6 = pointer.loadUnaligned(fromByteOffset: 6 * stride, as: SIMD16<UInt32>.self)
        let r7 = pointer.loadUnaligned(fromByteOffset: 7 * stride, as: SIMD16<UInt32>.self)
        return LaneBlock(
            w0: Lanes(r0[0], r1[0], r2[0], r3[0], r4[0], r5[0], r6[0], r7[0]),
            w1: Lanes(r0[1], r1[1], r2[1], r3[1], r4[1], r5[1], r6[1], r7[1]),
            w2: Lanes(r0[2], r1[2], r2[2], r3[2], r4[2], r5[2], r6[2], r7[2]),
            w3: Lanes(r0[3], r1[3], r2[3], r3[3], r4[3], r5[3], r6[3], r7[3]),
            w4: Lanes(r0[4], r1[4], r2[4], r3[4], r4[4], r5[4], r6[4], r7[4]),
            w5: Lanes(r0[5], r1[5], r2[5], r3[5], r4[5], r5[5], r6[5], r7[5]),
            w6: Lanes(r0[6], r1[6], r2[6], r3[6], r4[6], r5[6], r6[6], r7[6]),
            w7: Lanes(r0[7], r1[7], r2[7], r3[7], r4[7], r5[7], r6[7], r7[7]),
            w8: Lanes(r0[8], r1[8], r2[8], r3[8], r4[8], r5[8], r6[8], r7[8]),
            w9: Lanes(r0[9], r1[9], r2[9], r3[9], r4[9], r5[9], r6[9], r7[9]),
            w10: Lanes(r0[10], r1[10], r2[10], r3[10], r4[10], r5[10], r6[10], r7[10]),
            w11: Lanes(r0[11], r1[11], r2[11], r3[11], r4[11], r5[11], r6[11], r7[11]),
            w12: Lanes(r0[12], r1[12], r2[12], r3[12], r4[12], r5[12], r6[12], r7[12]),
            w13: Lanes(r0[13], r1[13], r2[13], r3[13], r4[13], r5[13], r6[13], r7[13]),
            w14: Lanes(r0[14], r1[14], r2[14], r3[14], r4[14], r5[14], r6[14], r7[14]),
            w15: Lanes(r0[15], r1[15], r2[15], r3[15], r4[15], r5[15], r6[15], r7[15]))
    }

    /// Rotates every lane right by `n`. The halves share no bits, so `&+` equals `|`; with `|` LLVM may turn the
    /// pair into a rotate, which x86 vector units lack, and split it into one scalar `rol` per lane.
    @inline(__always)
    static func rotateRight(_ x: Lanes, _ n: UInt32) -> Lanes {
        (x &>> n) &+ (x &<< (32 - n))
    }

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
