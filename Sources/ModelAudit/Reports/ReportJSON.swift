import Foundation

/// The JSON of reports and files people read: pretty, sorted keys, and safe to print.
public enum ReportJSON {
    /// Pretty-printed, sorted keys, trailing newline: for people and for files. Characters a terminal or a CI log
    /// would act on are written as `\uXXXX` escapes (`JSONText.terminalSafe`), which a parser reads back unchanged.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        var bytes = JSONText.terminalSafe(try CanonicalJSON.pretty(value))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
