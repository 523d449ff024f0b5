import Foundation

/// The machine-readable result of `audit verify`, printed as JSON on success and failure alike.
public struct VerificationReport: Codable, Sendable, Equatable {
    public struct Signature: Codable, Sendable, Equatable {
        public var index: Int
        /// `verified`, `key-not-valid` or `rejected`.
        public var status: String
        public var keyidHint: String?
        public var keyid: String?
        public var owner: String?
        public var roles: [String]
        public var scheme: String?
        public var message: String
    }

    /// The verified statement's model, when the payload is a provenance manifest.
    public struct Model: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var developer: String
        public var artifacts: Int
    }

    /// One artifact problem or warning.
    public struct ArtifactIssue: Codable, Sendable, Equatable {
        public var path: String
        /// `missing`, `digest-mismatch`, `unexpected-file`, `symlink`, `not-regular-file`, `unreadable`, `invalid-name`.
        public var kind: String
        public var expected: String?
        public var observed: String?
        public var message: String
    }

    public struct Artifacts: Codable, Sendable, Equatable {
        public var directory: String
        public var passed: Bool
        public var verified: Int
        public var problems: [ArtifactIssue]
        public var warnings: [ArtifactIssue]
    }

    public var file: String
    public var payloadType: String
    public var verified: Bool
    public var threshold: Int
    public var verifiedKeys: [String]
    public var evaluatedAt: String
    public var summary: String
    public var signatures: [Signature]
    public var model: Model?
    public var artifacts: Artifacts?

    public init(file: String, verification: EnvelopeVerification) {
        self.file = file
        self.payloadType = verification.payloadType
        self.verified = verification.isVerified
        self.threshold = verification.threshold
        self.verifiedKeys = verification.verifiedKeyIDs
        self.evaluatedAt = RFC3339.format(verification.time)
        self.summary = verification.summary
        self.signatures = verification.signatures.map { check in
            let status: String
            switch check.outcome {
            case .verified: status = "verified"
            case .keyNotValid: status = "key-not-valid"
            case .rejected: status = "rejected"
            }
            return Signature(
                index: check.index, status: status, keyidHint: check.keyIDHint, keyid: check.keyID,
                owner: check.owner, roles: check.roles.map(\.rawValue), scheme: check.scheme?.rawValue,
                message: check.explanation)
        }
    }

    public init(file: String, verification: ModelVerification, modelDirectory: String?) {
        self.init(file: file, verification: verification.signatures)
        if let statement = verification.statement {
            let predicate = statement.predicate
            model = Model(
                name: predicate.model.name, version: predicate.model.version,
                developer: predicate.origin.developer.legalName ?? predicate.origin.developer.name,
                artifacts: statement.subject.count)
        }
        if let result = verification.artifacts, let modelDirectory {
            artifacts = Artifacts(
                directory: modelDirectory, passed: result.passed, verified: result.verified.count,
                problems: result.problems.map(Self.issue), warnings: result.warnings.map(Self.issue))
            verified = verification.passed
            if !result.passed {
                let count = result.problems.count
                summary = "not verified: \(count) artifact problem\(count == 1 ? "" : "s") in \(modelDirectory)"
            } else {
                summary += "; \(result.verified.count) artifact\(result.verified.count == 1 ? "" : "s") match"
            }
        }
    }

    static func issue(_ problem: ArtifactProblem) -> ArtifactIssue {
        var issue = ArtifactIssue(path: problem.path, kind: "", expected: nil, observed: nil, message: "\(problem)")
        switch problem.kind {
        case .missing: issue.kind = "missing"
        case .digestMismatch(let expected, let observed):
            issue.kind = "digest-mismatch"
            issue.expected = "sha256:\(expected)"
            issue.observed = "sha256:\(observed)"
        case .unexpectedFile: issue.kind = "unexpected-file"
        case .symlink, .symlinkOutside, .symlinkLoop: issue.kind = "symlink"
        case .notRegularFile, .notDirectory: issue.kind = "not-regular-file"
        case .noFiles: issue.kind = "missing"
        case .unreadable: issue.kind = "unreadable"
        case .invalidName: issue.kind = "invalid-name"
        }
        return issue
    }

    /// Deterministic JSON: sorted keys, pretty-printed, trailing newline.
    public func jsonBytes() throws -> [UInt8] {
        try ReportJSON.encode(self)
    }

    /// The human-readable form.
    public var text: String {
        var lines = ["\(file): \(summary)"]
        lines.append("  payload type: \(payloadType)")
        lines.append("  evaluated at: \(evaluatedAt)")
        if let model {
            lines.append("  model:        \(model.name) \(model.version) by \(model.developer), \(model.artifacts) artifacts")
        }
        for signature in signatures {
            let mark = signature.status == "verified" ? "ok  " : "FAIL"
            var line = "  [\(mark)] signature \(signature.index): \(signature.message)"
            if !signature.roles.isEmpty { line += "; roles: \(signature.roles.joined(separator: ", "))" }
            if let scheme = signature.scheme { line += "; \(scheme)" }
            lines.append(line)
        }
        if let artifacts {
            lines.append("  artifacts in \(artifacts.directory): \(artifacts.verified) verified")
            for problem in artifacts.problems { lines.append("  [FAIL] \(problem.message)") }
            for warning in artifacts.warnings { lines.append("  [warn] \(warning.message)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

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
