/// An RFC 6901 JSON pointer: where a value sits inside a JSON document, for errors and findings.
///
/// Tokens are kept unescaped; `description` renders the escaped form (`~` → `~0`, `/` → `~1`), so
/// `JSONPointer.root.appending("a/b").appending(0)` prints as `/a~1b/0`. The root pointer prints as `""`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The reference tokens, unescaped, outermost first. Array indices are their decimal text.
    public private(set) var tokens: [String]

    /// The pointer to the whole document.
    public static let root = JSONPointer()

    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    /// Parses the textual form (`""` or `/a/0/b~1c`); `nil` when it is not a valid RFC 6901 pointer.
    public init?(parsing text: String) {
        if text.isEmpty {
            self.init()
            return
        }
        guard text.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = Self.unescape(raw) else { return nil }
            tokens.append(token)
        }
        self.init(tokens)
    }

    public var isRoot: Bool { tokens.isEmpty }

    /// The pointer one level up; the root is its own parent.
    public var parent: JSONPointer { JSONPointer(Array(tokens.dropLast())) }

    public func appending(_ key: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(key)
        return copy
    }

    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    public var description: String {
        var text = ""
        for token in tokens {
            text += "/"
            text += Self.escape(token)
        }
        return text
    }

    /// Escapes one reference token: `~` becomes `~0` and `/` becomes `~1`.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else {
            return token
        }
        var escaped = ""
        for character in token.unicodeScalars {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Reverses `escape`; `nil` for a `~` not followed by `0` or `1`.
    static func unescape(_ token: Substring) -> String? {
        guard token.contains("~") else { return String(token) }
        var result = ""
        var iterator = token.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "~" else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch iterator.next() {
            case "0": result += "~"
            case "1": result += "/"
            default: return nil
            }
        }
        return result
    }
}

/// The RFC 6901 pointer text for unescaped reference tokens, e.g. `["signatures", "0", "sig"]` → `/signatures/0/sig`.
public func jsonPointer(_ components: [String]) -> String {
    JSONPointer(components).description
}

extension JSONPointer {
    /// Appends one escaped token to the textual form of a pointer; cheaper than building a `JSONPointer`.
    static func appending(_ token: String, to pointer: String) -> String {
        pointer + "/" + escape(token)
    }
}
