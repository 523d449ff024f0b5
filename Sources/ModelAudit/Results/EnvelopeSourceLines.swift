/// The lines of a DSSE envelope file on which its signed payload and its signatures are written, so a finding can
/// point at a line of the file a reviewer opens.
///
/// A finding about the statement points into the base64 payload, which has no lines of its own: the payload's line
/// is as close as the file allows. Found by a small lexical scan of the JSON (strings and nesting only), since the
/// envelope has already been parsed strictly by then; keys are recognised only at the top level.
public struct EnvelopeSourceLines: Sendable, Equatable {
    /// The 1-based line of the top-level `"payload"` member.
    public var payload: Int?
    /// The 1-based line of the top-level `"signatures"` member.
    public var signatures: Int?
    /// The 1-based line on which each signature object starts, in order.
    public var signatureEntries: [Int]

    public init(payload: Int?, signatures: Int?, signatureEntries: [Int]) {
        self.payload = payload
        self.signatures = signatures
        self.signatureEntries = signatureEntries
    }

    /// Scans the envelope's bytes; members it cannot find stay `nil`.
    public init(scanning bytes: [UInt8]) {
        var payload: Int?
        var signatures: Int?
        var entries: [Int] = []
        var line = 1
        var depth = 0
        var inString = false
        var escaped = false
        var stringStart = 0
        var stringLine = 1
        var lastString: (text: ArraySlice<UInt8>, line: Int, depth: Int)?
        var inSignatures = false
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    lastString = (bytes[(stringStart + 1)..<index], stringLine, depth)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                stringStart = index
                stringLine = line
            case UInt8(ascii: ":"):
                // A key at depth 1 is a top-level member.
                if let key = lastString, key.depth == 1 {
                    let name = String(decoding: key.text, as: UTF8.self)
                    if name == "payload", payload == nil { payload = key.line }
                    if name == "signatures", signatures == nil {
                        signatures = key.line
                        inSignatures = true
                    }
                }
                lastString = nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if byte == UInt8(ascii: "{"), inSignatures, depth == 2 { entries.append(line) }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 1 { inSignatures = false }
            case UInt8(ascii: ","):
                lastString = nil
            default:
                break
            }
        }
        self.init(payload: payload, signatures: signatures, signatureEntries: entries)
    }

    /// The line an RFC 6901 pointer of a finding is best shown at: a signature's entry for `/signatures/N`, the
    /// signatures for `/signatures`, the payload for a pointer into the statement; `nil` for anything else (custody
    /// records, which live in another file).
    public func line(for pointer: String?) -> Int? {
        guard let pointer else { return nil }
        if pointer == "/signatures" || pointer.hasPrefix("/signatures/") {
            let rest = pointer.dropFirst("/signatures/".count)
            if pointer.hasPrefix("/signatures/"), let index = Int(rest.prefix { $0 != "/" }),
                entries(index) != nil
            {
                return entries(index)
            }
            return signatures
        }
        if pointer.hasPrefix("/custody") { return nil }
        return payload
    }

    private func entries(_ index: Int) -> Int? {
        signatureEntries.indices.contains(index) ? signatureEntries[index] : nil
    }
}
