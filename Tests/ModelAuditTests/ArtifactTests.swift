import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// A scratch model directory, removed when the test ends.
final class ModelFixture {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("artifacts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String) throws {
        try write(relative, bytes: Data(text.utf8))
    }

    func write(_ relative: String, bytes: Data) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try bytes.write(to: url)
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: target)
    }

    func fifo(_ relative: String) throws {
        guard mkfifo(path(relative), 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: path(relative))
    }

    /// Creates a file whose name is the given raw bytes (which need not be UTF-8).
    func createRawName(_ name: [UInt8]) throws {
        let full = Array(root.utf8) + [0x2F] + name
        let fd = open(full.map { CChar(bitPattern: $0) } + [0], O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        close(fd)
    }

    func directory(followSymlinks: Bool = false, ignore: IgnoreList = .default) throws -> ModelDirectory {
        try ModelDirectory(root: root, options: .init(followSymlinks: followSymlinks, ignore: ignore))
    }
}

/// The problems an `ArtifactError` carries, or an empty list when `body` did not throw one.
func artifactProblems(_ body: () throws -> Void) -> [ArtifactProblem] {
    do {
        try body()
        return []
    } catch let error as ArtifactError {
        return error.problems
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

/// Records every progress call, to check the totals add up.
final class RecordingProgress: DigestProgress, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var total: UInt64 = 0
    private(set) var files = 0
    private(set) var advanced: UInt64 = 0
    private(set) var finishedCount = 0

    func started(totalBytes: UInt64, files: Int) {
        lock.withLock {
            total = totalBytes
            self.files = files
        }
    }

    func advanced(bytes: UInt64) { lock.withLock { advanced += bytes } }
    func finished() { lock.withLock { finishedCount += 1 } }
}

let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
let abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

@Suite("artifact paths")
struct ArtifactPathTests {
    @Test(
        "unsafe paths are refused with a reason",
        arguments: [
            ("", "empty"), ("../etc/passwd", "'..'"), ("/etc/passwd", "absolute"), ("a/../b", "'..'"),
            ("a/..", "'..'"), ("a//b", "empty component"), ("a/", "empty component"), ("a\\b", "backslash"),
            ("a\u{0}b", "NUL"), ("./a", "'.'"), ("a/./b", "'.'"), ("a\nb", "line break"), ("a\u{7}b", "control"),
            ("a\u{85}b", "control"), ("evil\u{202E}nib.exe", "bidirectional"),
            (String(repeating: "a", count: 4097), "longer than 4096"),
        ])
    func refused(path: String, reason: String) {
        let problem = ArtifactPath.problem(with: path)
        #expect(problem?.contains(reason) == true, "\(path.debugDescription) → \(problem ?? "accepted")")
    }

    @Test(
        "ordinary relative paths are accepted",
        arguments: [
            "model.safetensors", "a/b/c.bin", ".gitattributes", "...", "a..b", "tokenizer/vocab.json", "é/ü.bin",
            "with space.bin", String(repeating: "a", count: 4096),
        ])
    func accepted(path: String) {
        #expect(ArtifactPath.problem(with: path) == nil)
    }

    @Test("display escapes what cannot be printed on one line")
    func display() {
        #expect(ArtifactPath.display(Array("a\nb".utf8)) == "a\\x0ab")
        #expect(ArtifactPath.display([0x61, 0xFF]) == "a\\xff")
        #expect(ArtifactPath.display(Array("a\\b".utf8)) == "a\\\\b")
        #expect(ArtifactPath.display(Array("café".utf8)) == "café")
        #expect(ArtifactPath.display(Array("a\u{202E}b".utf8)) == "a\\xe2\\x80\\xaeb")
    }
}

@Suite("model directory walk")
struct ModelDirectoryWalkTests {
    @Test("nested directories are walked and the ignore list honoured")
    func nestedAndIgnored() throws {
        let fixture = try ModelFixture()
        for name in [
            "config.json", "model-00001.safetensors", "tokenizer/vocab.json", "a/b/c/deep.bin", ".gitattributes",
            ".git/config", ".git/objects/ab/cdef", ".DS_Store", "tokenizer/.DS_Store", "__MACOSX/x",
            ".cache/huggingface/download/model.lock", "sub/.cache/huggingface/kept.bin",
        ] {
            try fixture.write(name, name)
        }
        try fixture.mkdir("empty/dir")
        let files = try fixture.directory().files()
        #expect(
            files == [
                ".gitattributes", "a/b/c/deep.bin", "config.json", "model-00001.safetensors",
                "sub/.cache/huggingface/kept.bin", "tokenizer/vocab.json",
            ])
        let everything = try fixture.directory(ignore: .none).files()
        #expect(everything.count == 12)
        #expect(everything.contains(".git/objects/ab/cdef"))
    }

    @Test("ignore patterns")
    func ignorePatterns() {
        let list = IgnoreList([".git/", "*.tmp", "logs/run-*/"])
        #expect(list.ignores(".git", isDirectory: true))
        #expect(!list.ignores(".git", isDirectory: false))
        #expect(list.ignores("a/.git/config", isDirectory: false))
        #expect(list.ignores("x/y.tmp", isDirectory: false))
        #expect(list.ignores("logs/run-1", isDirectory: true))
        #expect(list.ignores("logs/run-1/out.txt", isDirectory: false))
        #expect(!list.ignores("other/logs/run-1", isDirectory: true))
        #expect(!list.ignores("model.bin", isDirectory: false))
        #expect(IgnoreList.default.ignores(".cache/huggingface/download/x.metadata", isDirectory: false))
        #expect(!IgnoreList.default.ignores(".cache/other/x", isDirectory: false))
    }

    @Test("a symbolic link inside the root is refused by default and followed when allowed")
    func symlinkInside() throws {
        let fixture = try ModelFixture()
        try fixture.write("weights.bin", "abc")
        try fixture.write("shards/one.bin", "")
        try fixture.symlink("link.bin", to: "weights.bin")
        try fixture.symlink("shard-dir", to: "shards")

        let problems = artifactProblems { _ = try fixture.directory().files() }
        #expect(
            problems == [
                ArtifactProblem(path: "link.bin", kind: .symlink(target: "weights.bin")),
                ArtifactProblem(path: "shard-dir", kind: .symlink(target: "shards")),
            ])

        // Each directory is walked once: a second path to one already walked is refused, like a loop.
        let following = try fixture.directory(followSymlinks: true)
        let duplicate = artifactProblems { _ = try following.files() }
        #expect(duplicate == [ArtifactProblem(path: "shard-dir", kind: .symlinkLoop(target: "shards"))])
        try fixture.remove("shard-dir")
        try fixture.symlink("shards/inner", to: "../weights.bin")
        #expect(try following.files() == ["link.bin", "shards/inner", "shards/one.bin", "weights.bin"])
        let digests = try following.digests()
        #expect(digests.map(\.digest) == [abcSHA256, abcSHA256, emptySHA256, abcSHA256])
    }

    @Test("a symbolic link out of the root is refused even when following links")
    func symlinkOutside() throws {
        let outside = try ModelFixture()
        try outside.write("secret.txt", "secret")
        let fixture = try ModelFixture()
        try fixture.write("weights.bin", "abc")
        try fixture.symlink("absolute", to: outside.path("secret.txt"))
        try fixture.symlink("relative", to: "../" + URL(fileURLWithPath: outside.root).lastPathComponent)
        try fixture.symlink("etc", to: "/etc")

        for follow in [false, true] {
            let problems = artifactProblems { _ = try fixture.directory(followSymlinks: follow).files() }
            #expect(problems.map(\.path) == ["absolute", "etc", "relative"])
            if follow {
                for problem in problems {
                    guard case .symlinkOutside = problem.kind else {
                        Issue.record("expected symlinkOutside, got \(problem)")
                        continue
                    }
                }
            }
        }
        // Hashing a named path through a link is refused the same way.
        let results = try fixture.directory(followSymlinks: true).digest(paths: ["etc/hostname", "absolute"])
        for (path, result) in results {
            guard case .failure(let problem) = result, case .symlinkOutside = problem.kind else {
                Issue.record("\(path): expected symlinkOutside, got \(result)")
                continue
            }
        }
    }

    @Test("symbolic link loops end the walk", .timeLimit(.minutes(1)))
    func symlinkLoops() throws {
        let fixture = try ModelFixture()
        try fixture.write("a/file.bin", "abc")
        try fixture.symlink("a/up", to: "..")
        try fixture.symlink("a/self", to: ".")
        try fixture.symlink("ping", to: "pong")
        try fixture.symlink("pong", to: "ping")
        try fixture.symlink("root", to: fixture.root)

        let problems = artifactProblems { _ = try fixture.directory(followSymlinks: true).files() }
        #expect(problems.map(\.path) == ["a/self", "a/up", "ping", "pong", "root"])
        for problem in problems {
            guard case .symlinkLoop = problem.kind else {
                Issue.record("expected symlinkLoop, got \(problem)")
                continue
            }
        }
        #expect(artifactProblems { _ = try fixture.directory().files() }.count == 5)
    }

    @Test("a FIFO is refused without being opened", .timeLimit(.minutes(1)))
    func fifo() throws {
        let fixture = try ModelFixture()
        try fixture.write("weights.bin", "abc")
        try fixture.fifo("pipe")
        let problems = artifactProblems { _ = try fixture.directory().digests() }
        #expect(problems == [ArtifactProblem(path: "pipe", kind: .notRegularFile("FIFO"))])
        let results = try fixture.directory().digest(paths: ["pipe", "weights.bin"])
        #expect(results["pipe"] == .failure(ArtifactProblem(path: "pipe", kind: .notRegularFile("FIFO"))))
        #expect(try results["weights.bin"]?.get().sha256 == abcSHA256)
    }

    @Test("bad names are reported, escaped, all at once")
    func badNames() throws {
        let fixture = try ModelFixture()
        try fixture.write("ok.bin", "abc")
        try fixture.createRawName(Array("bad\u{FF}".utf8.prefix(3)) + [0xFF])
        try fixture.write("new\nline", "x")
        try fixture.write("back\\slash", "x")
        try fixture.symlink("link", to: "ok.bin")
        try fixture.fifo("pipe")
        let problems = artifactProblems { _ = try fixture.directory().files() }
        #expect(problems.count == 5, "\(problems)")
        #expect(problems.contains(ArtifactProblem(path: "bad\\xff", kind: .invalidName("not valid UTF-8"))))
        #expect(problems.contains(ArtifactProblem(path: "new\\x0aline", kind: .invalidName("contains a line break"))))
        #expect(
            problems.contains(ArtifactProblem(path: "back\\\\slash", kind: .invalidName("contains a backslash"))))
        let message = ArtifactError(problems: problems).description
        #expect(message.hasPrefix("5 problems: "))
        #expect(!message.contains("\n"))
    }

    @Test("names differing only in Unicode normalization are refused")
    func normalization() throws {
        let fixture = try ModelFixture()
        try fixture.write("caf\u{E9}.bin", "one")
        try fixture.createRawName(Array("cafe\u{301}.bin".utf8))
        let problems = artifactProblems { _ = try fixture.directory().files() }
        #expect(problems.count == 2, "\(problems)")
    }

    @Test("the root must exist, be a directory, and hold files")
    func root() throws {
        let fixture = try ModelFixture()
        let missing = artifactProblems { _ = try ModelDirectory(root: fixture.path("nope")) }
        #expect(missing == [ArtifactProblem(path: fixture.path("nope"), kind: .missing)])
        try fixture.write("file", "x")
        let notDirectory = artifactProblems { _ = try ModelDirectory(root: fixture.path("file")) }
        #expect(notDirectory == [ArtifactProblem(path: fixture.path("file"), kind: .notDirectory)])
        try fixture.mkdir("empty/.git")
        try fixture.write("empty/.git/HEAD", "ref")
        let empty = artifactProblems { _ = try ModelDirectory(root: fixture.path("empty")).digests() }
        #expect(empty == [ArtifactProblem(path: fixture.path("empty"), kind: .noFiles)])
        #expect(try ModelDirectory(root: fixture.path("empty")).files() == [])
    }
}

@Suite("model directory digests")
struct ModelDirectoryDigestTests {
    @Test("digests equal sha256sum's for known content")
    func knownDigests() throws {
        let fixture = try ModelFixture()
        try fixture.write("empty", "")
        try fixture.write("abc", "abc")
        let digests = try fixture.directory().digests()
        #expect(
            digests == [
                ArtifactDigest(path: "abc", digest: abcSHA256, size: 3),
                ArtifactDigest(path: "empty", digest: emptySHA256, size: 0),
            ])
        let sha512 = try fixture.directory().digests(algorithm: .sha512)
        #expect(sha512[0].sha256 == nil)
        #expect(sha512[0].digest.hasPrefix("ddaf35a193617aba"))
    }

    @Test("parallel hashing gives the same sorted result every time, and reports progress")
    func deterministic() throws {
        let fixture = try ModelFixture()
        var generator = SystemRandomNumberGenerator()
        var contents: [String: Data] = [:]
        for index in 0..<40 {
            let size = Int.random(in: 0...300_000, using: &generator)
            var bytes = Data(count: size)
            let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
            bytes.withUnsafeMutableBytes { raw in
                for offset in stride(from: 0, to: raw.count, by: 8) {
                    withUnsafeBytes(of: seed &* UInt64(offset | 1)) { word in
                        for byte in 0..<min(8, raw.count - offset) { raw[offset + byte] = word[byte] }
                    }
                }
            }
            let name = "dir\(index % 4)/file-\(index).bin"
            contents[name] = bytes
            try fixture.write(name, bytes: bytes)
        }
        let progress = RecordingProgress()
        let first = try fixture.directory().digests(progress: progress)
        let second = try fixture.directory().digests()
        #expect(first == second)
        #expect(first.map(\.path) == contents.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for digest in first {
            let expected = Hex.encode(try Digests.hash(contents[digest.path] ?? Data()))
            #expect(digest.digest == expected, "\(digest.path)")
            #expect(digest.size == UInt64(contents[digest.path]?.count ?? -1))
        }
        let total = contents.values.reduce(UInt64(0)) { $0 + UInt64($1.count) }
        #expect(progress.total == total)
        #expect(progress.advanced == total)
        #expect(progress.files == 40)
        #expect(progress.finishedCount == 1)
    }

    @Test("a 20 MB file is hashed correctly")
    func largeFile() throws {
        let fixture = try ModelFixture()
        var bytes = Data(count: 20_000_003)
        bytes.withUnsafeMutableBytes { raw in
            for index in stride(from: 0, to: raw.count, by: 4093) { raw[index] = UInt8(truncatingIfNeeded: index) }
        }
        try fixture.write("big.bin", bytes: bytes)
        try fixture.write("small.bin", "abc")
        let digests = try fixture.directory().digests()
        #expect(digests.first?.digest == Hex.encode(try Digests.hash(bytes)))
        #expect(digests.first?.size == 20_000_003)
    }

    @Test("named paths: missing, invalid, through a link, fine")
    func namedPaths() throws {
        let fixture = try ModelFixture()
        try fixture.write("real/weights.bin", "abc")
        try fixture.symlink("linked", to: "real")
        let results = try fixture.directory().digest(paths: [
            "real/weights.bin", "nope.bin", "../etc/passwd", "linked/weights.bin", "real",
        ])
        #expect(try results["real/weights.bin"]?.get().digest == abcSHA256)
        #expect(results["nope.bin"] == .failure(ArtifactProblem(path: "nope.bin", kind: .missing)))
        #expect(
            results["../etc/passwd"]
                == .failure(ArtifactProblem(path: "../etc/passwd", kind: .invalidName("contains a '..' component"))))
        #expect(
            results["linked/weights.bin"]
                == .failure(ArtifactProblem(path: "linked/weights.bin", kind: .symlink(target: "real"))))
        #expect(results["real"] == .failure(ArtifactProblem(path: "real", kind: .notRegularFile("directory"))))
        let following = try fixture.directory(followSymlinks: true).digest(paths: ["linked/weights.bin"])
        #expect(try following["linked/weights.bin"]?.get().digest == abcSHA256)
    }
}

@Suite("artifact check against a subject list")
struct ArtifactCheckTests {
    static func setUp() throws -> (ModelFixture, [ExpectedArtifact]) {
        let fixture = try ModelFixture()
        try fixture.write("config.json", "{}")
        try fixture.write("model.safetensors", "weights")
        try fixture.write("tokenizer/vocab.json", "abc")
        try fixture.write(".git/HEAD", "ref")
        let expected = try fixture.directory().digests().map { ExpectedArtifact(path: $0.path, sha256: $0.digest) }
        return (fixture, expected)
    }

    @Test("an untouched directory passes")
    func untouched() throws {
        let (fixture, expected) = try Self.setUp()
        let result = try ArtifactCheck.check(expected: expected, directory: fixture.directory())
        #expect(result.passed)
        #expect(result.verified.map(\.path) == ["config.json", "model.safetensors", "tokenizer/vocab.json"])
        #expect(result.problems.isEmpty && result.warnings.isEmpty)
        let upper = expected.map { ExpectedArtifact(path: $0.path, sha256: $0.sha256.uppercased()) }
        #expect(try ArtifactCheck.check(expected: upper, directory: fixture.directory()).passed)
    }

    @Test("changed, deleted and added files")
    func tampered() throws {
        let (fixture, expected) = try Self.setUp()
        try fixture.write("model.safetensors", "abc")
        try fixture.remove("config.json")
        try fixture.write("extra.bin", "x")
        let result = try ArtifactCheck.check(expected: expected, directory: fixture.directory(), extraFiles: .fail)
        #expect(!result.passed)
        let weights = expected.first { $0.path == "model.safetensors" }?.sha256 ?? ""
        #expect(
            result.problems == [
                ArtifactProblem(path: "config.json", kind: .missing),
                ArtifactProblem(path: "extra.bin", kind: .unexpectedFile),
                ArtifactProblem(
                    path: "model.safetensors", kind: .digestMismatch(expected: weights, observed: abcSHA256)),
            ])
        #expect(result.verified.map(\.path) == ["tokenizer/vocab.json"])

        let warned = try ArtifactCheck.check(expected: expected, directory: fixture.directory(), extraFiles: .warn)
        #expect(warned.warnings == [ArtifactProblem(path: "extra.bin", kind: .unexpectedFile)])
        #expect(warned.problems.count == 2)
    }

    @Test("only an extra file: fail or warn")
    func extraOnly() throws {
        let (fixture, expected) = try Self.setUp()
        try fixture.write("tokenizer/added.txt", "x")
        #expect(!(try ArtifactCheck.check(expected: expected, directory: fixture.directory()).passed))
        let warned = try ArtifactCheck.check(expected: expected, directory: fixture.directory(), extraFiles: .warn)
        #expect(warned.passed)
        #expect(warned.warnings.map(\.path) == ["tokenizer/added.txt"])
    }

    @Test("an empty directory: every expected file is missing")
    func emptyDirectory() throws {
        let (_, expected) = try Self.setUp()
        let empty = try ModelFixture()
        let result = try ArtifactCheck.check(expected: expected, directory: empty.directory())
        #expect(result.problems.map(\.kind) == Array(repeating: .missing, count: 3))
        #expect(!result.passed)
        #expect(!(try ArtifactCheck.check(expected: [], directory: empty.directory()).passed))
    }

    @Test("unsafe manifest paths are refused, unsafe directory entries reported")
    func unsafe() throws {
        let (fixture, expected) = try Self.setUp()
        try fixture.fifo("pipe")
        try fixture.symlink("passwd", to: "/etc/passwd")
        let extra = [
            ExpectedArtifact(path: "../etc/passwd", sha256: emptySHA256),
            ExpectedArtifact(path: "passwd", sha256: emptySHA256),
            ExpectedArtifact(path: "config.json", sha256: emptySHA256),
        ]
        let result = try ArtifactCheck.check(
            expected: expected + extra, directory: fixture.directory(followSymlinks: true), extraFiles: .warn)
        #expect(
            result.problems.map(\.description) == [
                "../etc/passwd: invalid name (contains a '..' component)",
                "config.json: invalid name (listed more than once in the manifest with different digests)",
                "passwd: symbolic link resolves to /etc/passwd, outside the model directory",
                "pipe: not a regular file (FIFO)",
            ])
    }
}

@Suite("terminal progress")
struct TerminalProgressTests {
    final class Output: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        func append(_ more: String) { lock.withLock { text += more } }
    }

    @Test("draws only on a terminal and only for large jobs")
    func drawsWhenWatched() throws {
        let cases: [(Bool, UInt64, Bool)] = [(true, 1 << 30, true), (false, 1 << 30, false), (true, 1000, false)]
        for (isTerminal, total, draws) in cases {
            let output = Output()
            let progress = TerminalProgress(threshold: 256 << 20, isTerminal: isTerminal, redrawNanos: 0) {
                output.append($0)
            }
            progress.started(totalBytes: total, files: 2)
            progress.advanced(bytes: total / 2)
            progress.finished()
            #expect(output.text.contains("hashing 2 files") == draws, "\(output.text.debugDescription)")
            #expect(output.text.isEmpty == !draws)
        }
    }

    @Test("redraws at most ten times a second")
    func throttled() {
        let output = Output()
        let progress = TerminalProgress(threshold: 0, isTerminal: true) { output.append($0) }
        let start = Date()
        progress.started(totalBytes: 1 << 30, files: 1)
        for _ in 0..<20_000 { progress.advanced(bytes: 1) }
        let allowed = Int(Date().timeIntervalSince(start) * 10)
        progress.finished()
        let draws = output.text.components(separatedBy: "hashing").count - 1
        #expect(draws <= allowed, "\(draws) redraws in \(allowed + 1) tenths of a second")
        #expect(output.text.hasSuffix("\r\u{1B}[2K"))
    }
}
