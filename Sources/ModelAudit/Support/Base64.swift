import Foundation

/// Base64 as DSSE envelopes carry it: standard or URL-safe alphabet, padded or not.
public enum Base64 {
    /// Decodes standard (`+/`) or URL-safe (`-_`) base64, with or without `=` padding.
    ///
    /// Mixed alphabets, whitespace, misplaced padding and non-zero trailing bits are rejected.
    public static func decode(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        let hasStandard = bytes.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }
        let hasURLSafe = bytes.contains { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        if hasStandard && hasURLSafe { return nil }
        if hasURLSafe {
            for index in bytes.indices {
                if bytes[index] == UInt8(ascii: "-") { bytes[index] = UInt8(ascii: "+") }
                if bytes[index] == UInt8(ascii: "_") { bytes[index] = UInt8(ascii: "/") }
            }
        }
        let padding = bytes.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        if padding > 2 { return nil }
        if padding > 0 && bytes.count % 4 != 0 { return nil }
        let unpaddedCount = bytes.count - padding
        if unpaddedCount % 4 == 1 { return nil }
        if padding == 0 {
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - unpaddedCount % 4) % 4))
        }
        guard let data = Data(base64Encoded: Data(bytes)) else { return nil }
        let decoded = [UInt8](data)
        // Canonical form only: re-encoding must give back the same characters (no stray trailing bits).
        let canonical = Array(data.base64EncodedString().utf8)
        guard canonical == bytes else { return nil }
        return decoded
    }

    /// Standard, padded base64.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }
}
