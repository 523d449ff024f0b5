import AuditCrypto
import Foundation

/// Renders a payload for people: pretty JSON when it parses strictly, text when it is UTF-8, else a hex dump.
///
/// Whatever the payload holds, the result is safe to print to a terminal or a CI log: the JSON is written with
/// `\uXXXX` escapes for hidden characters (`ReportJSON`), text goes through `TerminalText` line by line.
public enum PayloadRendering {
    public static func render(_ payload: [UInt8]) -> String {
        if let value = try? StrictJSON.parse(payload), let pretty = try? ReportJSON.encode(value) {
            return String(decoding: pretty, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        if let text = String(validating: payload, as: UTF8.self) {
            // Lines are kept, but each is escaped: the payload is whatever the signer wrote.
            return TerminalText.lines(text)
        }
        let shown = payload.prefix(256)
        var lines: [String] = []
        for start in stride(from: 0, to: shown.count, by: 16) {
            let row = shown[start..<min(start + 16, shown.count)]
            lines.append(String(format: "%08x  ", start) + row.map { String(format: "%02x", $0) }.joined(separator: " "))
        }
        if payload.count > shown.count { lines.append("… \(payload.count - shown.count) more bytes") }
        return lines.joined(separator: "\n")
    }
}
