import Foundation

/// The one JSON encoding every report uses, so identical inputs give identical bytes.
public enum ReportJSON {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return [UInt8](data)
    }
}
