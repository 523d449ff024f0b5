import Foundation
import Testing

@testable import ModelAudit

/// The one-pass base64 decoder accepts exactly the texts the Foundation-based decoder accepted, with the same bytes.
@Suite("Base64")
struct Base64Tests {
    /// The decoder as it was written over `Data`: the reference the one-pass decoder must agree with.
    static func reference(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        let hasStandard = bytes.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }
        let hasURLSafe = bytes.contains { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        if hasStandard && hasURLSafe { return nil }
        if hasURLSafe {
            bytes = bytes.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        }
        let padding = bytes.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        if padding > 2 || (padding > 0 && bytes.count % 4 != 0) { return nil }
        let unpadded = bytes.count - padding
        if unpadded % 4 == 1 { return nil }
        if padding == 0 { bytes.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - unpadded % 4) % 4)) }
        guard let data = Data(base64Encoded: Data(bytes)) else { return nil }
        guard Array(data.base64EncodedString().utf8) == bytes else { return nil }
        return [UInt8](data)
    }

    @Test("hand-picked texts: padding, alphabets, trailing bits, stray characters")
    func handPicked() {
        let texts = [
            "", "=", "==", "QQ", "QQ=", "QQ==", "QQ===", "QR==", "QUI", "QUI=", "QUJ=", "QUJD", "QUJD=", "QUJDRA",
            "QUJD RA==", "QQ==QQ==", "-_-_", "+/+/", "-/+_", "SGVsbG8sIHdvcmxkIQ", "SGVsbG8sIHdvcmxkIQ==",
            "SGVsbG8sIHdvcmxkIQ=", "A", "AB", "ABC", "ABCD", "AB\n", "ÄBCD", "AB=C", "A===",
        ]
        for text in texts {
            #expect(Base64.decode(text) == Self.reference(text), "\(text)")
        }
        #expect(Base64.decode("SGVsbG8sIHdvcmxkIQ") == Array("Hello, world!".utf8))
        #expect(Base64.decode("QR==") == nil, "non-zero trailing bits are refused")
        #expect(Base64.decode("-/+_") == nil, "mixed alphabets are refused")
    }

    @Test("random texts over the whole alphabet agree with the reference")
    func randomTexts() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= ".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String(
                decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0x41 }, as: UTF8.self)
            #expect(Base64.decode(text) == Self.reference(text), "\(text)")
        }
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decode(String(encoded.prefix { $0 != "=" })) == bytes, "unpadded")
        }
    }

    @Test("a stray or other-alphabet character anywhere in a long text is refused as the reference refuses it")
    func strayCharacterAtEveryPosition() {
        var generator = SystemRandomNumberGenerator()
        for length in [47, 48, 49, 50] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let standard = Array(Base64.encode(bytes).utf8)
            let urlSafe = standard.map {
                $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0
            }
            for text in [standard, urlSafe] {
                #expect(Base64.decode(String(decoding: text, as: UTF8.self)) == bytes)
                for position in text.indices {
                    for stray in Array(" \n.=-_+/\u{80}".utf8) {
                        var changed = text
                        changed[position] = stray
                        let string = String(decoding: changed, as: UTF8.self)
                        #expect(Base64.decode(string) == Self.reference(string), "\(string)")
                    }
                }
            }
        }
    }
}
