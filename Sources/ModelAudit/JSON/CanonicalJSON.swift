import Foundation

/// The JSON encoding of everything the tool signs or hashes: sorted keys, so identical values give identical bytes.
///
/// It lives with the JSON parser, below everything that signs (manifests, envelopes, custody records) and
/// everything that reports, so signing never depends on how reports are written.
public enum CanonicalJSON {
    /// Compact, sorted keys, no trailing newline: the bytes of signed payloads and custody lines.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        try encode(value, pretty: false)
    }

    /// Pretty-printed with sorted keys and no trailing newline; callers that print it add their own escaping.
    public static func pretty(_ value: some Encodable) throws -> [UInt8] {
        try encode(value, pretty: true)
    }

    private static func encode(_ value: some Encodable, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(value))
    }
}
