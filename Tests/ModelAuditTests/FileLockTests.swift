import Foundation
import Testing

@testable import ModelAudit

/// A scratch directory removed when the test ends.
private final class ScratchDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("filelock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: file(name))), as: UTF8.self)
    }

    func mode(_ name: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: file(name))[.posixPermissions] as? Int)
    }
}

@Suite("FileLock: one writer at a time")
struct FileLockTests {
    @Test func secondWriterTimesOutNamingTheLockFile() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("bundle.jsonl")
        let lock = try FileLock.acquire(for: target, timeout: .zero)
        #expect(lock.lockPath == target + ".lock")
        do {
            _ = try FileLock.acquire(for: target, timeout: .milliseconds(100))
            Issue.record("a second lock on the same file was granted")
        } catch {
            guard case .timedOut(let holder, _) = error.reason else {
                Issue.record("unexpected reason \(error.reason)")
                return
            }
            #expect(holder == getpid())
            #expect("\(error)".hasPrefix("cannot lock \(target): \(target).lock is held by another writer"))
        }
        lock.release()
        let again = try FileLock.acquire(for: target, timeout: .zero)
        again.release()
        // The lock file stays: removing it could let two writers lock two different files.
        #expect(FileManager.default.fileExists(atPath: target + ".lock"))
    }

    @Test func missingDirectoryIsUnavailable() throws {
        let scratch = try ScratchDirectory()
        #expect(throws: FileLock.LockError.self) {
            try FileLock.acquire(for: scratch.file("no-such-dir/bundle.jsonl"), timeout: .zero)
        }
    }

    @Test func symbolicLinkAsLockFileIsRefused() throws {
        let scratch = try ScratchDirectory()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: scratch.file("elsewhere")))
        try FileManager.default.createSymbolicLink(
            atPath: scratch.file("bundle.jsonl.lock"), withDestinationPath: scratch.file("elsewhere"))
        do {
            _ = try FileLock.acquire(for: scratch.file("bundle.jsonl"), timeout: .zero)
            Issue.record("a symbolic link was accepted as the lock file")
        } catch {
            #expect(error.reason != .timedOut(holder: nil, waited: .zero))
        }
        #expect(try scratch.text("elsewhere") == "keep")
    }

    @Test func threadsOfOneProcessTakeTurns() throws {
        // POSIX record locks do not exclude threads of one process; FileLock must.
        let scratch = try ScratchDirectory()
        let counter = scratch.file("counter")
        try AtomicFile.write(Array("0".utf8), to: counter)
        let group = DispatchGroup()
        let failures = FailureLog()
        for _ in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                for _ in 0..<10 {
                    do {
                        try FileLock.withExclusiveLock(on: counter, timeout: .seconds(120)) {
                            let value = Int(try scratch.text("counter")) ?? -1000
                            try AtomicFile.write(Array(String(value + 1).utf8), to: counter)
                        }
                    } catch {
                        failures.add("\(error)")
                    }
                }
            }.start()
        }
        group.wait()
        #expect(failures.all.isEmpty)
        #expect(try scratch.text("counter") == "80")
    }
}

/// Errors collected from worker threads.
private final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

/// Bytes a reader thread hands back once it is done (read only after it signalled).
private final class Received: @unchecked Sendable {
    var bytes = Data()
}

@Suite("AtomicFile: the one way to write")
struct AtomicFileTests {
    @Test func explicitModeIsExactWhateverTheUmask() throws {
        let scratch = try ScratchDirectory()
        let previous = umask(0)
        defer { umask(previous) }
        try AtomicFile.write(Array("secret".utf8), to: scratch.file("dev.key"), mode: 0o600, overwrite: false)
        #expect(try scratch.mode("dev.key") == 0o600)
        try AtomicFile.write(Array("report".utf8), to: scratch.file("report.txt"))
        #expect(try scratch.mode("report.txt") == 0o666)
    }

    @Test func replacedFileKeepsItsPermissions() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("shared.jsonl")
        try AtomicFile.write(Array("one\n".utf8), to: path, mode: 0o664)
        try AtomicFile.write(Array("one\ntwo\n".utf8), to: path)
        #expect(try scratch.mode("shared.jsonl") == 0o664)
        #expect(try scratch.text("shared.jsonl") == "one\ntwo\n")
    }

    @Test func writesThroughASymbolicLink() throws {
        let scratch = try ScratchDirectory()
        try AtomicFile.write(Array("old".utf8), to: scratch.file("real.json"))
        try FileManager.default.createSymbolicLink(
            atPath: scratch.file("link.json"), withDestinationPath: scratch.file("real.json"))
        try AtomicFile.write(Array("new".utf8), to: scratch.file("link.json"))
        #expect(try scratch.text("real.json") == "new")
        let type = try FileManager.default.attributesOfItem(atPath: scratch.file("link.json"))[.type]
        #expect(type as? FileAttributeType == .typeSymbolicLink)
    }

    @Test func refusingToOverwriteLeavesTheFile() throws {
        let scratch = try ScratchDirectory()
        try AtomicFile.write(Array("first".utf8), to: scratch.file("draft.yaml"))
        #expect(throws: AtomicFile.WriteError.self) {
            try AtomicFile.write(Array("second".utf8), to: scratch.file("draft.yaml"), overwrite: false)
        }
        #expect(try scratch.text("draft.yaml") == "first")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["draft.yaml"])
    }

    @Test func missingDirectoryIsAnError() throws {
        let scratch = try ScratchDirectory()
        do {
            try AtomicFile.write(Array("x".utf8), to: scratch.file("missing/out.json"))
            Issue.record("wrote into a missing directory")
        } catch let error as AtomicFile.WriteError {
            #expect(error.description.contains("missing/out.json: No such file or directory"))
        }
    }

    @Test func abandonedTemporariesOfDeadWritersAreRemoved() throws {
        let scratch = try ScratchDirectory()
        // PID 999999999 is above any pid_max: that writer is gone. PID 1 is always running.
        let dead = scratch.file(".bundle.jsonl.tmp-999999999-0-abc")
        let running = scratch.file(".bundle.jsonl.tmp-1-0-abc")
        let other = scratch.file(".other.jsonl.tmp-999999999-0-abc")
        for path in [dead, running, other] { try Data().write(to: URL(fileURLWithPath: path)) }
        AtomicFile.removeAbandonedTemporaries(of: scratch.file("bundle.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: running))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func aPipeOrDeviceIsWrittenWhereItIsNotReplaced() throws {
        let scratch = try ScratchDirectory()
        let pipe = scratch.file("report.fifo")
        try #require(mkfifo(pipe, 0o600) == 0)
        // The reader must be open before a writer's open(2) returns; it reads until the writer closes.
        let received = Received()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            // Plain read(2) until the writer closes: the reader must stay open while the writer writes.
            let fd = open(pipe, O_RDONLY)
            var chunk = [UInt8](repeating: 0, count: 4096)
            while fd >= 0 {
                let count = read(fd, &chunk, chunk.count)
                if count <= 0 { break }
                received.bytes.append(contentsOf: chunk[0..<count])
            }
            if fd >= 0 { close(fd) }
            done.signal()
        }
        try AtomicFile.write(Array("{\"models\": []}\n".utf8), to: pipe)
        done.wait()
        #expect(String(decoding: received.bytes, as: UTF8.self) == "{\"models\": []}\n")
        var info = stat()
        #expect(stat(pipe, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["report.fifo"])
    }

    @Test func appendKeepsWhatWasThere() throws {
        let scratch = try ScratchDirectory()
        try AtomicFile.append(Array("# one\n".utf8), to: scratch.file("summary.md"))
        try AtomicFile.append(Array("# two\n".utf8), to: scratch.file("summary.md"))
        #expect(try scratch.text("summary.md") == "# one\n# two\n")
    }
}
