/// JSON documents the tool prints (reports, `show --format json`) made safe for a terminal and a CI log without
/// changing what they mean.
///
/// An encoder escapes C0 controls inside strings but writes DEL, C1 controls (U+009B is a terminal's CSI), bidi
/// controls and line separators as they are, and `##[` from input would start a legacy GitHub Actions workflow
/// command in any log line. Outside its strings a JSON document holds only ASCII punctuation, letters, digits and
/// white space, so every such character is inside a string, where `\uXXXX` means the same character: each is
/// rewritten so. A parser reads the same value back.
public enum JSONText {
    /// Works on the UTF-8 bytes: ASCII is copied as it is (reports are mostly ASCII, and a fleet report is large),
    /// and only multi-byte sequences are decoded to ask whether their character is unsafe.
    public static func terminalSafe(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 64)
        var hashes = 0
        var index = 0
        while index < json.count {
            let byte = json[index]
            if byte < 0x80 {
                let stray = byte < 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09
                if stray || byte == 0x7F || (byte == UInt8(ascii: "[") && hashes >= 2) {
                    appendEscape(UInt32(byte), to: &out)
                } else {
                    out.append(byte)
                }
                hashes = byte == UInt8(ascii: "#") ? hashes + 1 : 0
                index += 1
                continue
            }
            hashes = 0
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            let end = min(index + length, json.count)
            let sequence = json[index..<end]
            // An encoder's output is valid UTF-8; a malformed sequence is still never copied through raw.
            guard let scalar = String(validating: sequence, as: UTF8.self)?.unicodeScalars.first else {
                appendEscape(0xFFFD, to: &out)
                index = end
                continue
            }
            if VisibleEscape.isUnsafe(scalar) {
                appendEscape(scalar.value, to: &out)
            } else {
                out.append(contentsOf: sequence)
            }
            index = end
        }
        return out
    }

    /// `\uXXXX` (a surrogate pair beyond the BMP), upper-case hex: what a JSON parser reads as the same character.
    private static func appendEscape(_ value: UInt32, to out: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else { return }
        for unit in String(scalar).utf16 {
            out.append(contentsOf: Array("\\u".utf8))
            let hex = String(unit, radix: 16, uppercase: true)
            out.append(contentsOf: Array((String(repeating: "0", count: 4 - hex.count) + hex).utf8))
        }
    }
}
