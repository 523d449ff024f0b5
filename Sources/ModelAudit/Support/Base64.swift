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

    /// Each byte's value as a base64 character in the low six bits, with bit 6 set for the standard alphabet's
    /// `+/` and bit 7 for the URL-safe `-_`; `invalid` for a byte that is no base64 character.
    private static let invalid: UInt8 = 0xFF
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        table[Int(UInt8(ascii: "+"))] = 62 | 0x40
        table[Int(UInt8(ascii: "/"))] = 63 | 0x40
        table[Int(UInt8(ascii: "-"))] = 62 | 0x80
        table[Int(UInt8(ascii: "_"))] = 63 | 0x80
        return table
    }()

    /// Decodes the characters of `decode(_:)`: every rule it states is checked here.
    private static func decode(_ characters: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var padding = 0
        while padding < characters.count, characters[characters.count - 1 - padding] == UInt8(ascii: "=") {
            padding += 1
        }
        let count = characters.count - padding
        // Padding, when present, completes the last group exactly; one character alone in a group is never valid.
        if padding > 2 || (padding > 0 && characters.count % 4 != 0) || count % 4 == 1 { return nil }
        var alphabet: UInt8 = 0  // 1: standard (`+/`) seen, 2: URL-safe (`-_`) seen; both is refused
        var group: UInt32 = 0
        var filled = 0
        var valid = true
        // Whole groups go straight into the result's storage; the table gives each character's value and alphabet.
        var output = [UInt8](unsafeUninitializedCapacity: count / 4 * 3 + 2) { buffer, written in
            written = 0
            for index in 0..<count {
                let entry = sextets[Int(characters[index])]
                guard entry != invalid else {
                    valid = false
                    return
                }
                alphabet |= entry >> 6
                group = group << 6 | UInt32(entry & 0x3F)
                filled += 1
                if filled == 4 {
                    buffer[written] = UInt8(truncatingIfNeeded: group >> 16)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    buffer[written + 2] = UInt8(truncatingIfNeeded: group)
                    written += 3
                    group = 0
                    filled = 0
                }
            }
        }
        if !valid { return nil }
        if alphabet == 3 { return nil }
        // Canonical form only: the bits after the last whole byte must be zero, so one text means one value.
        switch filled {
        case 2:
            guard group & 0x0F == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: group >> 4))
        case 3:
            guard group & 0x03 == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: group >> 10))
            output.append(UInt8(truncatingIfNeeded: group >> 2))
        default:
            break
        }
        return output
    }

    /// Standard, padded base64.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }
}
