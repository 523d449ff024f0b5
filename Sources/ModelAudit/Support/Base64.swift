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
    private static func decode(_ characters: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var padding = 0
        while padding < characters.count, characters[characters.count - 1 - padding] == UInt8(ascii: "=") {
            padding += 1
        }
        let count = characters.count - padding
        // Padding, when present, completes the last group exactly; one character alone in a group is never valid.
        if padding > 2 || (padding > 0 && characters.count % 4 != 0) || count % 4 == 1 { return nil }
        var alphabet: UInt8 = 0  // 1: standard (`+/`) seen, 2: URL-safe (`-_`) seen; both is refused
        var output = [UInt8]()
        output.reserveCapacity(count / 4 * 3 + 2)
        var group: UInt32 = 0
        var filled = 0
        for index in 0..<count {
            let character = characters[index]
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62; alphabet |= 1
            case UInt8(ascii: "/"): value = 63; alphabet |= 1
            case UInt8(ascii: "-"): value = 62; alphabet |= 2
            case UInt8(ascii: "_"): value = 63; alphabet |= 2
            default: return nil
            }
            group = group << 6 | UInt32(value)
            filled += 1
            if filled == 4 {
                output.append(UInt8(truncatingIfNeeded: group >> 16))
                output.append(UInt8(truncatingIfNeeded: group >> 8))
                output.append(UInt8(truncatingIfNeeded: group))
                group = 0
                filled = 0
            }
        }
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
