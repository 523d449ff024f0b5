import Foundation

/// The one JSON encoding every report and file the tool writes uses, so identical inputs give identical bytes.
public enum ReportJSON {
    /// Pretty-printed, sorted keys, trailing newline: for people and for files. Characters a terminal or a CI log
    /// would act on are written as `\uXXXX` escapes (`JSONText.terminalSafe`), which a parser reads back unchanged.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        var bytes = JSONText.terminalSafe(try encode(value, pretty: true))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Compact, sorted keys, no trailing newline: the canonical bytes of signed payloads and custody lines.
    public static func canonical(_ value: some Encodable) throws -> [UInt8] {
        try encode(value, pretty: false)
    }

    private static func encode(_ value: some Encodable, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(value))
    }
}
