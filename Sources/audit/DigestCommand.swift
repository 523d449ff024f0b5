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

            Exit codes: 0 digests printed, 2 DIR missing, empty, or holding a refused entry, 64 usage.

            Examples:
              audit digest weights/
              audit digest weights/ > SHA256SUMS
              cd weights && sha256sum -c ../SHA256SUMS
              audit digest weights/ --follow-symlinks --algorithm sha512
            """
    )

    /// The digest algorithms offered, named as `sha256sum` and friends name them.
    enum Algorithm: String, ExpressibleByArgument, CaseIterable {
        case sha256
        case sha384
        case sha512

        var digestAlgorithm: DigestAlgorithm {
            switch self {
            case .sha256: return .sha256
            case .sha384: return .sha384
            case .sha512: return .sha512
            }
        }
    }

    @Argument(help: ArgumentHelp("The model directory.", valueName: "dir"))
    var directory: String

    @Flag(name: .long, help: "Follow symbolic links that stay inside the directory.")
    var followSymlinks = false

    @Option(name: .long, help: "Digest algorithm: \(Algorithm.allCases.map(\.rawValue).joined(separator: ", ")).")
    var algorithm: Algorithm = .sha256

    func run() throws {
        let model = try ModelDirectory(root: directory, options: .init(followSymlinks: followSymlinks))
        let digests = try model.digests(algorithm: algorithm.digestAlgorithm, progress: TerminalProgress())
        var out = ""
        for digest in digests {
            // Names are printed as they are unless they hold a hidden character or a CI command, which are escaped.
            out += TerminalText.guardLine("\(digest.digest)  \(VisibleEscape.apply(digest.path))") + "\n"
        }
        Terminal.write(Array(out.utf8))
    }
}
