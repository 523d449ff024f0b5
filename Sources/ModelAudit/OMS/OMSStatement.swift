import AuditCrypto
import Foundation

/// A hash function an OMS signature names for its file or shard digests.
public enum OMSHashAlgorithm: String, Sendable, CaseIterable {
    case sha256
    case blake2b
    case blake3

    /// Bytes in one digest.
    public var digestByteCount: Int {
        switch self {
        case .sha256, .blake3: return 32
        case .blake2b: return 64
        }
    }

    /// The digest this build computes for the name, or `nil` when it cannot compute it.
    var digestAlgorithm: DigestAlgorithm? {
        DigestAlgorithm(rawValue: rawValue)
    }
}

/// How an OMS signature cut the model into resources.
public enum OMSSerializationMethod: Sendable, Equatable {
    /// One resource per file, over the whole file.
    case files
    /// One resource per consecutive byte range of `shardSize` bytes (the last may be shorter); empty files are
    /// left out.
    case shards(shardSize: Int64)
}

/// The serialization parameters an OMS signature records, which a verifier must reproduce.
public struct OMSSerialization: Sendable, Equatable {
    public var method: OMSSerializationMethod
    public var hashType: OMSHashAlgorithm
    public var allowSymlinks: Bool
    /// Paths relative to the model root left out at signing; `nil` when the signature records none (then nothing
    /// is left out, not even git files).
    public var ignorePaths: [String]?

    public init(
        method: OMSSerializationMethod, hashType: OMSHashAlgorithm, allowSymlinks: Bool = false,
        ignorePaths: [String]? = nil
    ) {
        self.method = method
        self.hashType = hashType
        self.allowSymlinks = allowSymlinks
        self.ignorePaths = ignorePaths
    }
}

/// One resource of an OMS predicate: a file, or a byte range of a file, with its digest.
public struct OMSResource: Sendable, Equatable {
    /// The name as signed (`path` or `path:start:end`).
    public let name: String
    /// The file's relative path (`"."` for the single-file form).
    public let path: String
    /// The byte range, for a shard.
    public let range: Range<Int64>?
    public let digest: [UInt8]
    /// Where the resource is in the statement.
    public let pointer: String

    public init(name: String, path: String, range: Range<Int64>?, digest: [UInt8], pointer: String) {
        self.name = name
        self.path = path
        self.range = range
        self.digest = digest
        self.pointer = pointer
    }
}

/// The in-toto statement of an OpenSSF model signature (OMS v1.0): the model's root digest, and the predicate
/// listing every file or shard with its digest and how they were computed.
///
/// Read strictly from the payload bytes that verified: every problem is reported with its JSON pointer. Beyond the
/// schema it checks what a verifier relies on: the root digest equals SHA-256 over the listed digests in their
/// order, names are unique and safe relative paths, shard names are parsed from the right (so a `:` inside a file
/// name is kept), and each file's shards start at 0 and follow one another without gap or overlap.
public struct OMSStatement: Sendable, Equatable {
    public static let predicateType = "https://model_signing/signature/v1.0"
    /// The earlier reference-tool predicate (digests as subjects), which is refused with an explanation.
    public static let deprecatedPredicateType = "https://model_signing/Digests/v0.1"

    public let subjectName: String
    /// SHA-256 over the resources' digests in the listed order.
    public let rootDigest: [UInt8]
    public let resources: [OMSResource]
    public let serialization: OMSSerialization

    public init(subjectName: String, resources: [OMSResource], serialization: OMSSerialization) throws {
        self.subjectName = subjectName
        self.resources = resources
        self.serialization = serialization
        self.rootDigest = try Self.rootDigest(of: resources)
    }

    /// SHA-256 over the concatenated digests, in order.
    public static func rootDigest(of resources: [OMSResource]) throws -> [UInt8] {
        try Digests.hash(resources.flatMap(\.digest), algorithm: .sha256)
    }

    /// The distinct file paths the resources cover, in first-listed order.
    public var paths: [String] {
        var seen = Set<[UInt8]>()
        return resources.map(\.path).filter { seen.insert(Array($0.utf8)).inserted }
    }

    /// Reads a statement; throws `InvalidDocumentError` listing every problem with its pointer.
    public static func read(_ value: JSONValue) throws -> OMSStatement {
        let log = ProblemLog()
        let statement = read(value, log: log)
        guard let statement, log.problems.isEmpty else {
            if log.problems.isEmpty { log.add("", "not an OMS statement") }
            throw InvalidDocumentError(document: "OMS statement", problems: log.problems.sorted())
        }
        return statement
    }

    private static func read(_ value: JSONValue, log: ProblemLog) -> OMSStatement? {
        guard let root = ObjectReader.make(value, pointer: "", log: log) else { return nil }
        defer { root.finish() }
        if let type = root.string("_type"), type != InTotoStatementType.v1 {
            log.add("/_type", "\"\(type)\" is not \"\(InTotoStatementType.v1)\"")
        }
        if let type = root.string("predicateType"), type != predicateType {
            let note = type == deprecatedPredicateType ? " (the deprecated v0.1 layout; re-sign the model)" : ""
            log.add("/predicateType", "\"\(type)\" is not \"\(predicateType)\"\(note)")
        }
        var subject: (name: String, digest: [UInt8])?
        if let subjects = root.array("subject", { value, pointer in (value, pointer) }) {
            if subjects.count != 1 {
                log.add("/subject", "an OMS statement has exactly one subject (the model), found \(subjects.count)")
            } else if let reader = ObjectReader.make(subjects[0].0, pointer: subjects[0].1, log: log) {
                // Other in-toto subject members are allowed; only the name and the SHA-256 root digest are read.
                let name = reader.string("name")
                let digest = reader.object("digest").flatMap { set -> [UInt8]? in
                    guard let text = set.string("sha256") else { return nil }
                    guard let bytes = Hex.decode(text), bytes.count == 32 else {
                        log.add(set.path("sha256"), "expected 64 hex digits")
                        return nil
                    }
                    return bytes
                }
                if let name, let digest { subject = (name, digest) }
            }
        }
        guard let predicate = root.object("predicate") else { return nil }
        defer { predicate.finish() }
        let serialization = predicate.object("serialization").flatMap(readSerialization)
        let resourceValues = predicate.array("resources") { value, pointer in (value, pointer) } ?? []
        guard let serialization else { return nil }
        let resources = readResources(resourceValues, serialization: serialization, log: log)
        if resourceValues.isEmpty, predicate.object["resources"] != nil {
            log.add("/predicate/resources", "no resources: the signature covers nothing")
        }
        guard let subject, let resources,
            let statement = try? OMSStatement(
                subjectName: subject.name, resources: resources, serialization: serialization)
        else { return nil }
        if statement.rootDigest != subject.digest {
            log.add(
                "/subject/0/digest/sha256",
                "the root digest \(Hex.encode(subject.digest)) does not match the resources, which hash to "
                    + "\(Hex.encode(statement.rootDigest)): the statement is inconsistent")
        }
        return statement
    }

    private static func readSerialization(_ reader: ObjectReader) -> OMSSerialization? {
        defer { reader.finish() }
        let log = reader.log
        let method = reader.string("method")
        var hashType: OMSHashAlgorithm?
        if let name = reader.string("hash_type") {
            hashType = OMSHashAlgorithm(rawValue: name)
            if hashType == nil {
                let known = OMSHashAlgorithm.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                log.add(reader.path("hash_type"), "unknown hash \"\(name)\" (known: \(known))")
            }
        }
        let allowSymlinks = reader.bool("allow_symlinks")
        let ignorePaths = reader.array("ignore_paths", required: false) { value, pointer -> String? in
            guard let text = value.stringValue else {
                log.add(pointer, "expected a path, found \(value.kindName)")
                return nil
            }
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            if trimmed.isEmpty || trimmed == "." || ArtifactPath.problem(with: trimmed) != nil {
                log.add(pointer, "\"\(text)\" is not a relative path inside the model")
                return nil
            }
            return trimmed
        }
        var shardSize: Int64?
        if let value = reader.value("shard_size", required: method == "shards") {
            // The reference tool writes the size through a protobuf Struct, so 1000 arrives as 1000.0.
            if case .number(let number) = value, let size = number.int64 ?? exactInteger(number.double), size > 0 {
                shardSize = size
            } else {
                log.add(reader.path("shard_size"), "expected a positive whole number of bytes, found \(value)")
            }
        }
        let parsedMethod: OMSSerializationMethod?
        switch method {
        case "files":
            if reader.object["shard_size"] != nil {
                log.add(reader.path("shard_size"), "\"shard_size\" belongs to method \"shards\", not \"files\"")
            }
            parsedMethod = .files
        case "shards":
            parsedMethod = shardSize.map { .shards(shardSize: $0) }
        case nil:
            parsedMethod = nil
        case .some(let other):
            log.add(reader.path("method"), "unknown method \"\(other)\" (known: \"files\", \"shards\")")
            parsedMethod = nil
        }
        guard let parsedMethod, let hashType, let allowSymlinks else { return nil }
        return OMSSerialization(
            method: parsedMethod, hashType: hashType, allowSymlinks: allowSymlinks, ignorePaths: ignorePaths)
    }

    private static func exactInteger(_ value: Double) -> Int64? {
        guard value.isFinite, value == value.rounded(), abs(value) < 9_007_199_254_740_992 else { return nil }
        return Int64(value)
    }

    private static func readResources(
        _ values: [(JSONValue, String)], serialization: OMSSerialization, log: ProblemLog
    ) -> [OMSResource]? {
        let hash = serialization.hashType
        var names: [[UInt8]: String] = [:]
        var resources: [OMSResource] = []
        var failed = false
        for (value, pointer) in values {
            // Other resource-descriptor members (uri, annotations, …) are allowed by in-toto and ignored.
            guard let reader = ObjectReader.make(value, pointer: pointer, log: log) else {
                failed = true
                continue
            }
            let name = reader.string("name")
            let algorithm = reader.string("algorithm")
            let digestText = reader.string("digest")
            guard let name, let algorithm, let digestText else {
                failed = true
                continue
            }
            var acceptedNames = [hash.rawValue]
            if case .shards(let size) = serialization.method {
                acceptedNames.append("\(hash.rawValue)-sharded-\(size)")
            }
            if !acceptedNames.contains(algorithm) {
                log.add(
                    reader.path("algorithm"),
                    "\"\(algorithm)\" does not match hash_type \"\(hash.rawValue)\" (expected "
                        + acceptedNames.map { "\"\($0)\"" }.joined(separator: " or ") + ")")
                failed = true
            }
            guard let digest = Hex.decode(digestText), digest.count == hash.digestByteCount else {
                log.add(reader.path("digest"), "expected \(hash.digestByteCount * 2) hex digits of \(hash.rawValue)")
                failed = true
                continue
            }
            if let previous = names[Array(name.utf8)] {
                log.add(reader.path("name"), "\"\(name)\" is listed twice (also at \(previous))")
                failed = true
                continue
            }
            names[Array(name.utf8)] = pointer
            var path = name
            var range: Range<Int64>?
            if case .shards = serialization.method {
                guard let shard = parseShardName(name) else {
                    log.add(reader.path("name"), "\"\(name)\" is not PATH:START:END with START < END")
                    failed = true
                    continue
                }
                path = shard.path
                range = shard.range
            }
            if path != ".", let problem = ArtifactPath.problem(with: path) {
                log.add(reader.path("name"), "\"\(path)\" is not a safe relative path: \(problem)")
                failed = true
                continue
            }
            resources.append(OMSResource(name: name, path: path, range: range, digest: digest, pointer: pointer))
        }
        if case .shards(let size) = serialization.method {
            failed = !checkShardCoverage(resources, shardSize: size, log: log) || failed
        }
        if resources.contains(where: { $0.path == "." }) && Set(resources.map(\.path)).count > 1 {
            log.add("/predicate/resources", "\".\" names the single-file form, so it must be the only file")
            failed = true
        }
        return failed ? nil : resources
    }

    /// `path:start:end`, the two numbers taken from the right so a `:` in the path stays part of it.
    static func parseShardName(_ name: String) -> (path: String, range: Range<Int64>)? {
        let bytes = Array(name.utf8)
        guard let second = bytes.lastIndex(of: UInt8(ascii: ":")),
            let first = bytes[..<second].lastIndex(of: UInt8(ascii: ":"))
        else { return nil }
        func number(_ slice: ArraySlice<UInt8>) -> Int64? {
            guard !slice.isEmpty, slice.count <= 18, slice.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            return Int64(String(decoding: slice, as: UTF8.self))
        }
        guard first > 0, let start = number(bytes[(first + 1)..<second]), let end = number(bytes[(second + 1)...]),
            start < end
        else { return nil }
        return (String(decoding: bytes[..<first], as: UTF8.self), start..<end)
    }

    /// Each file's shards, by start, must begin at 0 and abut, each `shardSize` long but the last.
    private static func checkShardCoverage(_ resources: [OMSResource], shardSize: Int64, log: ProblemLog) -> Bool {
        var byPath: [[UInt8]: [OMSResource]] = [:]
        for resource in resources { byPath[Array(resource.path.utf8), default: []].append(resource) }
        var intact = true
        for (_, shards) in byPath {
            let sorted = shards.sorted { ($0.range?.lowerBound ?? 0) < ($1.range?.lowerBound ?? 0) }
            var expectedStart: Int64 = 0
            for (index, shard) in sorted.enumerated() {
                guard let range = shard.range else { continue }
                let isLast = index == sorted.count - 1
                let length = range.upperBound - range.lowerBound
                if range.lowerBound < expectedStart {
                    log.add(shard.pointer + "/name", "\"\(shard.name)\" overlaps the shard before it")
                    intact = false
                } else if range.lowerBound > expectedStart {
                    log.add(
                        shard.pointer + "/name",
                        "\"\(shard.name)\" leaves bytes \(expectedStart)..<\(range.lowerBound) of \(shard.path) "
                            + "unsigned")
                    intact = false
                } else if length > shardSize || (!isLast && length != shardSize) {
                    log.add(
                        shard.pointer + "/name",
                        "\"\(shard.name)\" is \(length) bytes; shards are \(shardSize) bytes, only the last shorter")
                    intact = false
                }
                expectedStart = max(expectedStart, range.upperBound)
            }
        }
        return intact
    }
}
