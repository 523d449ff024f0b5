import AuditCrypto
import Foundation

/// Signs a model into an OpenSSF model-signing (OMS v1.0) bundle that OMS verifiers accept.
///
/// 1. List the model (a directory, or one file) without following links unless allowed; leave out the ignore paths
///    (paths from the model root, each with everything below it), git's files unless told otherwise, and the bundle
///    itself when it is written inside the model. Any refused entry stops signing.
/// 2. Hash every file (file mode) or every `shardSize` range of every non-empty file (shard mode) on all cores.
/// 3. Build the statement: resources sorted by name in code-point order (a single file is named `.`, as the
///    reference verifier expects), the root digest over them, the serialization parameters (ignore paths recorded
///    as signed), the model's name as subject.
/// 4. Sign its DSSE pre-authentication encoding with each key and wrap it in a v0.3 Sigstore bundle whose
///    verification material is the key's hint (SHA-256 of its PEM, as the reference tool computes it) or the
///    certificate chain.
public struct OMSSigner {
    /// Paths git keeps beside a model, left out by default as the reference tool does.
    public static let gitPaths = [".git", ".gitattributes", ".github", ".gitignore"]

    public var hash: OMSHashAlgorithm
    public var shardSize: Int64?
    public var ignorePaths: [String]
    public var ignoreGitPaths: Bool
    public var followSymlinks: Bool

    public init(
        hash: OMSHashAlgorithm = .sha256, shardSize: Int64? = nil, ignorePaths: [String] = [],
        ignoreGitPaths: Bool = true, followSymlinks: Bool = false
    ) {
        self.hash = hash
        self.shardSize = shardSize
        self.ignorePaths = ignorePaths
        self.ignoreGitPaths = ignoreGitPaths
        self.followSymlinks = followSymlinks
    }

    /// Why a model cannot be signed.
    public struct SigningError: AuditError {
        public let message: String
        public var code: AuditErrorCode { .malformedInput }
        public var description: String { message }
    }

    /// The statement's payload bytes for the model at `modelPath`.
    public func statementPayload(
        modelPath: String, bundlePath: String?, progress: DigestProgress? = nil
    ) throws
        -> [UInt8]
    {
        guard let algorithm = hash.digestAlgorithm else {
            throw SigningError(message: "hash function \(hash.rawValue) is not available in this build")
        }
        if let shardSize, shardSize <= 0 { throw SigningError(message: "the shard size must be positive") }
        for path in ignorePaths where path.isEmpty || path == "." || ArtifactPath.problem(with: path) != nil {
            throw SigningError(message: "ignore path \"\(path)\" is not a relative path inside the model")
        }
        var info = stat()
        guard stat(modelPath, &info) == 0 else {
            throw ArtifactError(problems: [ArtifactProblem(path: modelPath, kind: .missing)])
        }
        var recorded = ignorePaths.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if ignoreGitPaths { recorded += Self.gitPaths }
        let files: [(path: String, size: UInt64)]
        let opener: @Sendable (String) -> Result<Int32, ArtifactProblem>
        let subjectName = ((modelPath as NSString).standardizingPath as NSString).lastPathComponent
        if info.st_mode & S_IFMT == S_IFREG {
            var link = stat()
            if lstat(modelPath, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, !followSymlinks {
                throw ArtifactError(problems: [ArtifactProblem(path: modelPath, kind: .symlink(target: "a file"))])
            }
            // The reference tool names the one file ".", and compares names exactly, so "." it is.
            files = [(".", UInt64(max(info.st_size, 0)))]
            opener = { _ in
                let fd = open(modelPath, O_RDONLY | O_CLOEXEC)
                return fd >= 0
                    ? .success(fd) : .failure(ArtifactProblem(path: modelPath, kind: .unreadable("cannot open")))
            }
        } else {
            if let bundlePath, let inside = OMSModelCheck.relativePath(of: bundlePath, inside: modelPath) {
                recorded.append(inside)
            }
            let ignored = recorded.map { Array($0.utf8) }
            func isIgnored(_ path: String) -> Bool {
                let bytes = Array(path.utf8)
                return ignored.contains { bytes == $0 || (bytes.count > $0.count && bytes.starts(with: $0 + [0x2F])) }
            }
            let directory = try ModelDirectory(
                root: modelPath, options: .init(followSymlinks: followSymlinks, ignore: .none))
            let walk = try directory.walk()
            let problems = walk.problems.filter { !isIgnored($0.path) }
            guard problems.isEmpty else { throw ArtifactError(problems: problems) }
            files = walk.files.filter { !isIgnored($0.path) }.map { ($0.path, $0.size) }
            let safe = try Opener(root: modelPath, followSymlinks: followSymlinks)
            opener = { path in
                switch safe.open(relative: path, directory: false) {
                case .success(let opened): return .success(opened.fd)
                case .failure(let failure): return .failure(ArtifactProblem(path: path, kind: failure.kind))
                }
            }
        }
        guard !files.isEmpty else {
            throw ArtifactError(problems: [ArtifactProblem(path: modelPath, kind: .noFiles)])
        }
        var jobs: [OMSModelCheck.Job] = []
        for file in files {
            if let shardSize {
                // Empty files have no shard, as the specification says; only file mode can vouch for them.
                var start: Int64 = 0
                let size = Int64(file.size)
                while start < size {
                    let end = min(start + shardSize, size)
                    jobs.append(
                        .init(
                            path: file.path, range: start..<end, expected: [], label: "\(file.path):\(start):\(end)",
                            size: UInt64(end - start)))
                    start = end
                }
            } else {
                jobs.append(.init(path: file.path, range: nil, expected: [], label: file.path, size: file.size))
            }
        }
        guard !jobs.isEmpty else {
            throw SigningError(message: "every file of \(modelPath) is empty: shard mode has nothing to sign")
        }
        var resources: [(name: String, digest: [UInt8])] = []
        var problems: [ArtifactProblem] = []
        for (job, result) in zip(jobs, OMSModelCheck.hash(jobs, algorithm: algorithm, progress: progress, open: opener))
        {
            switch result {
            case .success(let digest): resources.append((job.label, digest))
            case .failure(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw ArtifactError(problems: problems) }
        resources.sort { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        let root = try Digests.hash(resources.flatMap(\.digest), algorithm: .sha256)
        var serialization: [(key: String, value: JSONValue)] = [
            ("method", .string(shardSize == nil ? "files" : "shards")), ("hash_type", .string(hash.rawValue)),
        ]
        if let shardSize { serialization.append(("shard_size", .number(JSONNumber(shardSize)))) }
        serialization.append(("allow_symlinks", .bool(followSymlinks)))
        if !recorded.isEmpty { serialization.append(("ignore_paths", .array(recorded.map(JSONValue.string)))) }
        let statement: JSONValue = .object(
            try JSONObject([
                ("_type", .string(InTotoStatementType.v1)),
                (
                    "subject",
                    .array([
                        .object(
                            try JSONObject([
                                ("name", .string(subjectName)),
                                ("digest", .object(try JSONObject([("sha256", .string(Hex.encode(root)))]))),
                            ]))
                    ])
                ),
                ("predicateType", .string(OMSStatement.predicateType)),
                (
                    "predicate",
                    .object(
                        try JSONObject([
                            (
                                "resources",
                                .array(
                                    try resources.map {
                                        .object(
                                            try JSONObject([
                                                ("name", .string($0.name)), ("algorithm", .string(hash.rawValue)),
                                                ("digest", .string(Hex.encode($0.digest))),
                                            ]))
                                    })
                            ),
                            ("serialization", .object(try JSONObject(serialization))),
                        ]))
                ),
            ]))
        return JSONWriter.write(statement, pretty: false)
    }

    /// Signs `payload` with each key into a v0.3 bundle; with `certificates` (leaf first), the bundle carries them
    /// instead of a key hint, and the first key must be the leaf's.
    public static func bundle(
        payload: [UInt8], keys: [PrivateKey], certificates: [[UInt8]]? = nil
    ) throws
        -> SigstoreBundle
    {
        guard let first = keys.first else { throw SigningError(message: "no signing key") }
        for key in keys {
            switch key.type {
            case .ecdsaP256, .ecdsaP384, .ecdsaP521: break
            default:
                throw SigningError(
                    message: "OMS signs with ECDSA P-256, P-384 or P-521 keys; \(key.publicKey.keyID) is \(key.type)")
            }
        }
        var envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: payload)
        for key in keys {
            let signature = try key.signature(for: envelope.preAuthenticationEncoding)
            envelope.signatures.append(DSSESignature(keyID: nil, signature: signature))
        }
        let signer: SigstoreBundle.SignerMaterial
        if let certificates {
            signer = .x509CertificateChain(certificates)
        } else {
            let pem = try first.publicKey.pem
            signer = .publicKey(hint: try Digests.sha256Hex(Array(pem.utf8)), rawBytes: nil)
        }
        return SigstoreBundle(mediaType: .v03, signer: signer, content: .dsseEnvelope(envelope))
    }
}
