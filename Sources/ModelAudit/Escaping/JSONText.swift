/// JSON documents the tool prints (reports, `show --format json`) made safe for a terminal and a CI log without
/// changing what they mean.
///
/// An encoder escapes C0 controls inside strings but writes DEL, C1 controls (U+009B is a terminal's CSI), bidi
/// controls and line separators as they are, and `##[` from input would start a legacy GitHub Actions workflow
/// command in any log line. Outside its strings a JSON document holds only ASCII punctuation, letters, digits and
/// white space, so every such character is inside a string, where `\uXXXX` means the same character: each is
/// rewritten so. A parser reads the same value back.
public enum JSONText {
    public static func terminalSafe(_ json: [UInt8]) -> [UInt8] {
        let needsWork = json.contains { $0 >= 0x7F } || json.indices.contains { index in
            index + 2 < json.count && json[index] == UInt8(ascii: "#") && json[index + 1] == UInt8(ascii: "#")
                && json[index + 2] == UInt8(ascii: "[")
        }
        guard needsWork else { return json }
        var out = String.UnicodeScalarView()
        var hashes = 0
        for scalar in String(decoding: json, as: UTF8.self).unicodeScalars {
            let structural = scalar == "\n" || scalar == "\r" || scalar == "\t"
            if (VisibleEscape.isUnsafe(scalar) && !structural) || (scalar == "[" && hashes >= 2) {
                for unit in String(scalar).utf16 {
                    out.append(contentsOf: "\\u".unicodeScalars)
                    let hex = String(unit, radix: 16, uppercase: true)
                    out.append(contentsOf: (String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
                }
            } else {
                out.append(scalar)
            }
            hashes = scalar == "#" ? hashes + 1 : 0
        }
        return Array(String(out).utf8)
    }
}
