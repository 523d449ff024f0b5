/// Validates the path of a model artifact, as named in a manifest's subject list or found in a model directory.
///
/// An artifact path is a relative POSIX path that can only name something *inside* the model directory: no
/// absolute paths, no `.` or `..` components, no empty components, and no bytes that make a path ambiguous or
/// unprintable (NUL, backslash, control characters). These are the rules a loader and `sha256sum -c` agree on.
public enum ArtifactPath {
    /// The longest artifact path accepted, in UTF-8 bytes (Linux's `PATH_MAX`).
    public static let maxLength = 4096

    /// Why `path` is not an acceptable artifact path, or `nil` when it is.
    public static func problem(with path: String) -> String? {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return "empty path" }
        if bytes.count > maxLength { return "longer than \(maxLength) bytes" }
        for byte in bytes {
            switch byte {
            case 0x00: return "contains a NUL byte"
            case UInt8(ascii: "\\"): return "contains a backslash"
            case 0x0A, 0x0D: return "contains a line break"
            case 0x01...0x1F, 0x7F: return "contains a control character"
            default: continue
            }
        }
        // C1 control characters (U+0080–U+009F) are as unprintable as the ASCII ones. Both need a byte past ASCII,
        // which most paths do not have.
        if bytes.contains(where: { $0 >= 0x80 }) {
            if path.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) {
                return "contains a control character"
            }
            // Bidirectional overrides make a printed path read differently from its bytes ("Trojan Source").
            if path.unicodeScalars.contains(where: isBidiControl) {
                return "contains a bidirectional control character"
            }
        }
        if bytes.first == UInt8(ascii: "/") { return "absolute path" }
        for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.isEmpty { return "contains an empty component" }
            if component.elementsEqual("..".utf8) { return "contains a '..' component" }
            if component.elementsEqual(".".utf8) { return "contains a '.' component" }
        }
        return nil
    }

    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// The path as printable text on one line: bytes that are not printable UTF-8 (or are a bidirectional control)
    /// become `\xNN` escapes, and a backslash is doubled.
    static func display(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            if byte >= 0x80, let (scalar, length) = decodeScalar(bytes, at: index), scalar.value > 0x9F,
                !isBidiControl(scalar)
            {
                out.unicodeScalars.append(scalar)
                index += length
                continue
            }
            out += byte == UInt8(ascii: "\\") ? "\\\\" : "\\x" + hexByte(byte)
            index += 1
        }
        return out
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// Decodes one UTF-8 scalar starting at `index`, or `nil` when the bytes there are not valid UTF-8.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        let slice = bytes[index..<(index + length)]
        guard let text = String(validating: slice, as: UTF8.self), let scalar = text.unicodeScalars.first,
            text.unicodeScalars.count == 1
        else { return nil }
        return (scalar, length)
    }
}
