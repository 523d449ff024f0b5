import ArgumentParser
import AuditCrypto
import Foundation
import ModelAudit

/// `audit digest`: prints the digest of every file of a model directory, in the format `sha256sum -c` checks.
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the digest of every file in a model directory.",
        discussion: """
            Walks DIR, hashes every regular file (in parallel on all cores) and prints one `<hex>  <path>` line per \
            file, sorted by path: the format `sha256sum -c` checks when run inside DIR, and the subject list a \
            manifest needs. Version-control and OS metadata (.git/, .hg/, .svn/, .DS_Store, Thumbs.db, __MACOSX/, \
            .cache/huggingface/) are skipped.

            Symbolic links are refused unless --follow-symlinks is given, and even then a link that resolves \
            outside DIR, or back into a directory already walked, is refused. FIFOs, sockets, devices and names \
            that are not UTF-8 or hold a backslash or a line break are refused. Every problem is listed, then the \
            command fails. A progress bar appears on a terminal for jobs above 256 MiB.

            With --shard-size N every file is cut into N-byte shards (the last one shorter) and one \
            `<hex>  <path>:<start>:<end>` line is printed per shard, bytes [start, end), the shards of one file \
            hashed in parallel: the digests OpenSSF model signing's shard mode signs. An empty file has no shards \
            and prints no line.

            Exit codes: 0 digests printed, 2 DIR missing, empty, or holding a refused entry, 64 usage.

            Examples:
              audit digest weights/
              audit digest weights/ > SHA256SUMS
              cd weights && sha256sum -c ../SHA256SUMS
              audit digest weights/ --follow-symlinks --algorithm sha512
              audit digest weights/ --algorithm blake3
              audit digest weights/ --shard-size 1073741824
            """
    )

    /// The digest algorithms offered, named as `sha256sum`, `b2sum` and `b3sum` name them (`blake2b` is BLAKE2b-512).
    enum Algorithm: String, CaseArgument {
        case sha256
        case sha384
        case sha512
        case blake2b
        case blake3

        var digestAlgorithm: DigestAlgorithm {
            switch self {
            case .sha256: return .sha256
            case .sha384: return .sha384
            case .sha512: return .sha512
            case .blake2b: return .blake2b512
            case .blake3: return .blake3
            }
        }
    }

    @Argument(help: ArgumentHelp("The model directory.", valueName: "dir"))
    var directory: String

    @Flag(name: .long, help: "Follow symbolic links that stay inside the directory.")
    var followSymlinks = false

    @Option(name: .long, help: "Digest algorithm: \(Algorithm.allCases.map(\.rawValue).joined(separator: ", ")).")
    var algorithm: Algorithm = .sha256

    @Option(name: .long, help: ArgumentHelp("Print one digest per N-byte shard of each file.", valueName: "N"))
    var shardSize: Int64?

    func validate() throws {
        if let shardSize, shardSize <= 0 {
            throw ValidationError("--shard-size must be a positive number of bytes, not \(shardSize)")
        }
    }

    func run() throws {
        let model = try ModelDirectory(root: directory, options: .init(followSymlinks: followSymlinks))
        if let shardSize {
            try printShards(model, shardSize: shardSize)
            return
        }
        let digests = try model.digests(algorithm: algorithm.digestAlgorithm, progress: TerminalProgress())
        var out = ""
        for digest in digests {
            // Names are printed as they are unless they hold a hidden character or a CI command, which are escaped.
            out += TerminalText.guardLine("\(digest.digest)  \(VisibleEscape.apply(digest.path))") + "\n"
        }
        Terminal.write(Array(out.utf8))
    }

    /// `<hex>  <path>:<start>:<end>` per shard, files sorted by path, shards in order.
    private func printShards(_ model: ModelDirectory, shardSize: Int64) throws {
        let files = try model.files()
        guard !files.isEmpty else { throw ArtifactError(problems: [ArtifactProblem(path: directory, kind: .noFiles)]) }
        var out = ""
        for file in files {
            let shards = try model.shardDigests(of: file, shardSize: shardSize, algorithm: algorithm.digestAlgorithm)
            let name = VisibleEscape.apply(file)
            for shard in shards {
                out += TerminalText.guardLine("\(shard.digest)  \(name):\(shard.start):\(shard.end)") + "\n"
            }
        }
        Terminal.write(Array(out.utf8))
    }
}
