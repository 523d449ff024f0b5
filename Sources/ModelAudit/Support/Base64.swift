import Foundation

/// Base64 as DSSE envelopes carry it: standard or URL-safe alphabet, padded or not.
public enum Base64 {
    /// Decodes standard (`+/`) or URL-safe (`-_`) base64, with or without `=` padding.
    ///
    /// Mixed alphabets, whitespace, misplaced padding and non-zero trailing bits are rejected.
    public static func decode(_ text: String) -> [UInt8]? {
        // One pass over the characters, straight into the result: a DSSE payload is decoded for every model of a
        // fleet, and going through `Data` and re-encoding to check the form was a visible share of reading one.
        if let decoded = text.utf8.withContiguousStorageIfAvailable(decode) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer(decode)
    }

    /// Decodes the characters of `decode(_:)`: every rule it states is checked here.
    ///
    /// Four characters at a time through four 256-entry tables, each holding a character's six bits already in their
    /// place in the group's 24, so a group is four loads and three ORs; straight into the result's storage: the
    /// payload of every envelope of a fleet goes through here.
    private static func decode(_ characters: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var padding = 0
        while padding < characters.count, characters[characters.count - 1 - padding] == UInt8(ascii: "=") {
            padding += 1
        }
        let count = characters.count - padding
        // Padding, when present, completes the last group exactly; one character alone in a group is never valid.
        if padding > 2 || (padding > 0 && characters.count % 4 != 0) || count % 4 == 1 { return nil }
        let groups = count / 4
        let rest = count % 4
        let outputCount = groups * 3 + (rest == 0 ? 0 : rest - 1)
        // Every entry read is ORed in: a character outside both alphabets sets `foreign`, `+/` set `standardOnly` and
        // `-_` `urlSafeOnly`, so the flags at the end tell a foreign character or mixed alphabets.
        var combined: UInt32 = 0
        var canonical = true
        let output = placedTables.withUnsafeBufferPointer { tables in
            [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                guard let table = tables.baseAddress, let input = characters.baseAddress else {
                    initialized = 0
                    return
                }
                @inline(__always) func group(_ position: Int, _ length: Int) -> UInt32 {
                    var bits: UInt32 = 0
                    for offset in 0..<length {
                        bits |= table[offset << 8 | Int(input[position + offset])]
                    }
                    combined |= bits
                    return bits
                }
                var position = 0
                var written = 0
                for _ in 0..<groups {
                    let bits = table[Int(input[position])] | table[256 | Int(input[position + 1])]
                        | table[512 | Int(input[position + 2])] | table[768 | Int(input[position + 3])]
                    combined |= bits
                    out[written] = UInt8(truncatingIfNeeded: bits >> 16)
                    out[written + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    out[written + 2] = UInt8(truncatingIfNeeded: bits)
                    position += 4
                    written += 3
                }
                // Canonical form only: the bits after the last whole byte must be zero, so one text means one value.
                switch rest {
                case 2:
                    let bits = group(position, 2)
                    if bits & 0x00_FFFF != 0 { canonical = false }
                    out[written] = UInt8(truncatingIfNeeded: bits >> 16)
                    written += 1
                case 3:
                    let bits = group(position, 3)
                    if bits & 0x00_00FF != 0 { canonical = false }
                    out[written] = UInt8(truncatingIfNeeded: bits >> 16)
                    out[written + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    written += 2
                default:
                    break
                }
                initialized = written
            }
        }
        let mixed = combined & standardOnly != 0 && combined & urlSafeOnly != 0
        return canonical && combined & foreign == 0 && !mixed ? output : nil
    }

    /// Flags above a group's 24 bits: a byte in neither alphabet, one only standard base64 has (`+/`), one only the
    /// URL-safe alphabet has (`-_`).
    private static let foreign: UInt32 = 1 << 31
    private static let standardOnly: UInt32 = 1 << 30
    private static let urlSafeOnly: UInt32 = 1 << 29

    /// Four tables of 256 entries, one per position in a group of four characters: a character's six bits shifted to
    /// where that position puts them (18, 12, 6, 0), with its alphabet flags; `foreign` for any other byte.
    private static let placedTables: [UInt32] = (0..<4).flatMap { position in
        (0...255).map { byte -> UInt32 in
            let value: UInt32
            var flags: UInt32 = 0
            switch byte {
            case 0x41...0x5A: value = UInt32(byte - 0x41)  // A-Z
            case 0x61...0x7A: value = UInt32(byte - 0x61 + 26)  // a-z
            case 0x30...0x39: value = UInt32(byte - 0x30 + 52)  // 0-9
            case 0x2B: (value, flags) = (62, standardOnly)  // +
            case 0x2F: (value, flags) = (63, standardOnly)  // /
            case 0x2D: (value, flags) = (62, urlSafeOnly)  // -
            case 0x5F: (value, flags) = (63, urlSafeOnly)  // _
            default: return foreign
            }
            return value << UInt32(18 - 6 * position) | flags
        }
    }

    /// Standard, padded base64.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }
}
