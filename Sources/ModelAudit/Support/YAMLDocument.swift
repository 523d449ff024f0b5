import Foundation
import Yams

/// Converts YAML into the same `JSONValue` the strict JSON parser produces, with the same strictness.
///
/// Plain scalars are resolved by the YAML 1.2 core schema only (so `NO`, `yes` and `on` stay strings, and a
/// country code can never turn into a boolean); quoted scalars are always strings. Duplicate keys, non-string
/// keys, multiple documents and nesting past the depth limit are errors. Anchors and aliases are expanded by the
/// YAML parser itself (it does not expose them), so expansion is bounded by a node budget instead: a document
/// that would grow past `maxNodes` values ("billion laughs") is refused.
public enum YAMLDocument {
    /// Why YAML could not be read.
    public struct ParseError: AuditError {
        public var code: AuditErrorCode { .malformedInput }

        public let message: String
        /// 1-based line, when known.
        public let line: Int?
        /// The file the document was read from, when known, so the message says which file to fix.
        public var file: String?

        public init(message: String, line: Int?, file: String? = nil) {
            self.message = message
            self.line = line
            self.file = file
        }

        public var description: String {
            let place = file.map { "\($0): " } ?? ""
            guard let line else { return "\(place)YAML: \(message)" }
            return "\(place)YAML line \(line): \(message)"
        }
    }

    /// Nodes beyond this count are refused, so alias expansion cannot exhaust memory.
    public static let maxNodes = 1_000_000

    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw ParseError(message: "document larger than the \(limits.maxBytes)-byte limit", line: nil)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ParseError(message: "not valid UTF-8", line: nil)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ParseError(message: "\(error)".split(separator: "\n").joined(separator: " "), line: nil)
        }
        guard let node else { throw ParseError(message: "empty document", line: nil) }
        var budget = maxNodes
        return try convert(node, depth: 0, limits: limits, budget: &budget)
    }

    private static func convert(_ node: Node, depth: Int, limits: JSONLimits, budget: inout Int) throws -> JSONValue {
        budget -= 1
        let line = node.mark.map { $0.line }
        guard budget >= 0 else {
            throw ParseError(message: "more than \(maxNodes) nodes (alias expansion?)", line: line)
        }
        switch node {
        case .scalar(let scalar):
            return try scalarValue(scalar, line: line)
        case .alias:
            // Only reachable if the parser stops resolving aliases itself; refuse rather than guess.
            throw ParseError(message: "unresolved alias", line: line)
        case .sequence(let sequence):
            guard depth < limits.maxDepth else {
                throw ParseError(message: "nested deeper than \(limits.maxDepth) levels", line: line)
            }
            return .array(try sequence.map { try convert($0, depth: depth + 1, limits: limits, budget: &budget) })
        case .mapping(let mapping):
            guard depth < limits.maxDepth else {
                throw ParseError(message: "nested deeper than \(limits.maxDepth) levels", line: line)
            }
            var members: [(key: String, value: JSONValue)] = []
            var seen: Set<String> = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw ParseError(message: "mapping keys must be strings", line: keyNode.mark.map { $0.line })
                }
                let key = keyScalar.string
                guard seen.insert(key).inserted else {
                    throw ParseError(message: "duplicate key \"\(key)\"", line: keyNode.mark.map { $0.line })
                }
                members.append((key, try convert(valueNode, depth: depth + 1, limits: limits, budget: &budget)))
            }
            do {
                return .object(try JSONObject(members))
            } catch {
                throw ParseError(message: "\(error)", line: line)
            }
        }
    }

    private static func scalarValue(_ scalar: Node.Scalar, line: Int?) throws -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if isJSONNumber(text) {
            do {
                return try StrictJSON.parse(Array(text.utf8))
            } catch {
                throw ParseError(message: "number \(text) cannot be represented", line: line)
            }
        }
        return .string(text)
    }

    /// The JSON number grammar; YAML-only forms such as `0x1F`, `+1` or `.5` stay strings.
    private static func isJSONNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix(while: { $0 >= 48 && $0 <= 57 }).count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "0") {
            bytes = bytes.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

/// Reads a JSON or YAML document: JSON when the file name ends in `.json` or the first non-space byte is `{`/`[`.
public enum StructuredDocument {
    public static func parse(_ bytes: [UInt8], path: String, limits: JSONLimits = .default) throws -> JSONValue {
        do {
            return try parseUnnamed(bytes, path: path, limits: limits)
        } catch var error as YAMLDocument.ParseError {
            error.file = path
            throw error
        } catch var error as JSONParseError {
            error.file = path
            throw error
        }
    }

    private static func parseUnnamed(_ bytes: [UInt8], path: String, limits: JSONLimits) throws -> JSONValue {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return try YAMLDocument.parse(bytes, limits: limits)
        }
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if lower.hasSuffix(".json") || first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try StrictJSON.parse(bytes, limits: limits)
        }
        return try YAMLDocument.parse(bytes, limits: limits)
    }
}
