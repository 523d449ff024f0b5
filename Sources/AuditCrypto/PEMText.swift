import Foundation

/// PEM text (RFC 7468) read as bytes: finding its markers and decoding a block's base64 body.
///
/// Foundation's string search bridges every call through `NSString`; for the dozen small key files of a trust store
/// it cost more than building their keys. Markers are ASCII, so searching the bytes finds exactly what searching
/// the decoded text did.
public enum PEMText {
    /// Whether `marker` occurs anywhere in `text`.
    public static func contains(_ marker: String, in text: [UInt8]) -> Bool {
        firstRange(of: Array(marker.utf8), in: text[...]) != nil
    }

    /// How many times `marker` occurs in `text`, counting occurrences that do not overlap.
    static func count(of marker: [UInt8], in text: [UInt8]) -> Int {
        var count = 0
        var rest = text[...]
        while let found = firstRange(of: marker, in: rest) {
            count += 1
            rest = text[found.upperBound...]
        }
        return count
    }

    /// The first occurrence of `marker` in `text`, as indices of the array `text` is a slice of.
    static func firstRange(of marker: [UInt8], in text: ArraySlice<UInt8>) -> Range<Int>? {
        guard let first = marker.first, marker.count <= text.count else { return nil }
        var position = text.startIndex
        let last = text.endIndex - marker.count
        while position <= last {
            guard let candidate = text[position...last].firstIndex(of: first) else { return nil }
            if text[candidate..<candidate + marker.count].elementsEqual(marker) {
                return candidate..<candidate + marker.count
            }
            position = candidate + 1
        }
        return nil
    }

    /// What a block's base64 body decodes to, skipping ASCII whitespace (line breaks, spaces, tabs); `nil` when the
    /// body is empty or anything else in it is not base64.
    static func decodeBody(_ body: ArraySlice<UInt8>) -> [UInt8]? {
        let base64 = body.filter { !isASCIIWhitespace($0) }
        guard !base64.isEmpty, let decoded = Data(base64Encoded: Data(base64)) else { return nil }
        return [UInt8](decoded)
    }

    /// Space, tab, line feed, vertical tab, form feed and carriage return.
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0d).contains(byte)
    }
}
