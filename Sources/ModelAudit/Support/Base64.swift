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
    /// Four characters at a time through a 256-entry table, straight into the result's storage: the payload of every
    /// envelope of a fleet goes through here.
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
        // Every character's table entry is ORed in: a character outside both alphabets reads as 0xFF, `+/` carry
        // bit 6 and `-_` bit 7, so both bits at the end mean a foreign character or mixed alphabets.
        var combined: UInt8 = 0
        var canonical = true
        let output = decodingTable.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                @inline(__always) func read(_ position: Int) -> UInt8 {
                    let value = table[Int(characters[position])]
                    combined |= value
                    return value & 0x3F
                }
                var position = 0
                var written = 0
                for _ in 0..<groups {
                    let first = read(position), second = read(position + 1)
                    let third = read(position + 2), fourth = read(position + 3)
                    out[written] = first << 2 | second >> 4
                    out[written + 1] = second << 4 | third >> 2
                    out[written + 2] = third << 6 | fourth
                    position += 4
                    written += 3
                }
                // Canonical form only: the bits after the last whole byte must be zero, so one text means one value.
                switch rest {
                case 2:
                    let first = read(position), second = read(position + 1)
                    if second & 0x0F != 0 { canonical = false }
                    out[written] = first << 2 | second >> 4
                    written += 1
                case 3:
                    let first = read(position), second = read(position + 1), third = read(position + 2)
                    if third & 0x03 != 0 { canonical = false }
                    out[written] = first << 2 | second >> 4
                    out[written + 1] = second << 4 | third >> 2
                    written += 2
                default:
                    break
                }
                initialized = written
            }
        }
        return canonical && combined & 0xC0 != 0xC0 ? output : nil
    }

    /// The value of each byte as a base64 character of either alphabet in the low six bits, with bit 6 set for the
    /// standard-only characters (`+/`) and bit 7 for the URL-safe-only ones (`-_`); 0xFF for any other byte.
    private static let decodingTable: [UInt8] = (0...255).map { byte -> UInt8 in
        switch byte {
        case 0x41...0x5A: return UInt8(byte - 0x41)  // A-Z
        case 0x61...0x7A: return UInt8(byte - 0x61 + 26)  // a-z
        case 0x30...0x39: return UInt8(byte - 0x30 + 52)  // 0-9
        case 0x2B: return 62 | 0x40  // +
        case 0x2F: return 63 | 0x40  // /
        case 0x2D: return 62 | 0x80  // -
        case 0x5F: return 63 | 0x80  // _
        default: return 0xFF
        }
    }

    /// Standard, padded base64.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }
}
