import AuditCrypto

/// One artifact a manifest names: its relative path and expected SHA-256 (hex, either case).
public struct ExpectedArtifact: Sendable, Equatable, Hashable {
    public let path: String
    public let sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// Compares a manifest's subject list with the files of a model directory.
///
/// 1. Every expected path is checked with `ArtifactPath` first; a bad one is a problem and is never opened.
/// 2. The expected files are hashed (in parallel, each opened without following links unless allowed).
/// 3. A missing file, a digest mismatch (with expected and observed), a refused link or special file is a problem.
/// 4. A file in the directory that the manifest does not name is a problem (`.fail`) or a warning (`.warn`);
///    unsafe entries the manifest does not name (links, FIFOs, bad names) are problems under either policy.
///
/// Paths are compared byte for byte, never with Swift's Unicode-equivalence `==`, so two differently normalized
/// names cannot stand in for one another.
public enum ArtifactCheck {
    /// What a file in the directory that the manifest does not name means.
    public enum ExtraFilePolicy: Sendable {
        case fail
        case warn
    }

    /// Checks `directory` against `expected`; throws only when the directory itself cannot be read.
    public static func check(
        expected: [ExpectedArtifact], directory: ModelDirectory, extraFiles: ExtraFilePolicy = .fail,
        progress: DigestProgress? = nil
    ) throws -> ArtifactCheckResult {
        let walk = try directory.walk()
        var problems: [ArtifactProblem] = []
        var warnings: [ArtifactProblem] = []

        // Expected entries by exact path bytes; a path listed twice must list the same digest.
        var digestsByPath: [[UInt8]: String] = [:]
        var order: [String] = []
        for artifact in expected {
            let key = Array(artifact.path.utf8)
            let digest = artifact.sha256.lowercased()
            if let reason = ArtifactPath.problem(with: artifact.path) {
                problems.append(ArtifactProblem(path: ArtifactPath.display(key), kind: .invalidName(reason)))
                continue
            }
            if let previous = digestsByPath[key] {
                if previous != digest {
                    problems.append(
                        ArtifactProblem(
                            path: artifact.path,
                            kind: .invalidName("listed more than once in the manifest with different digests")))
                }
                continue
            }
            digestsByPath[key] = digest
            order.append(artifact.path)
        }
        let expectedKeys = Set(expected.map { Array($0.path.utf8) })

        // The walk's problems for expected paths are reported again, more precisely, by hashing them.
        for problem in walk.problems where !expectedKeys.contains(Array(problem.path.utf8)) {
            problems.append(problem)
        }

        var verified: [ArtifactDigest] = []
        let results = directory.digestList(paths: order, algorithm: .sha256, progress: progress)
        for (path, result) in zip(order, results) {
            switch result {
            case .failure(let problem):
                problems.append(problem)
            case .success(let observed):
                let wanted = digestsByPath[Array(path.utf8)] ?? ""
                if observed.digest == wanted {
                    verified.append(observed)
                } else {
                    problems.append(
                        ArtifactProblem(path: path, kind: .digestMismatch(expected: wanted, observed: observed.digest)))
                }
            }
        }

        for file in walk.files where !expectedKeys.contains(Array(file.path.utf8)) {
            let problem = ArtifactProblem(path: file.path, kind: .unexpectedFile)
            switch extraFiles {
            case .fail: problems.append(problem)
            case .warn: warnings.append(problem)
            }
        }

        func byPath(_ a: ArtifactProblem, _ b: ArtifactProblem) -> Bool {
            a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
        }
        return ArtifactCheckResult(
            verified: verified.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) },
            problems: problems.sorted(by: byPath), warnings: warnings.sorted(by: byPath))
    }
}

/// The outcome of comparing a subject list with a model directory.
public struct ArtifactCheckResult: Sendable {
    /// Files whose SHA-256 matched the manifest, sorted by path.
    public let verified: [ArtifactDigest]
    /// Missing files, mismatches, unexpected files (under `.fail`), refused entries — sorted by path.
    public let problems: [ArtifactProblem]
    /// Unexpected files under the `.warn` policy.
    public let warnings: [ArtifactProblem]

    /// No problems and at least one verified file: verifying nothing is not a pass (fail closed).
    public var passed: Bool { problems.isEmpty && !verified.isEmpty }
}
