import AuditCrypto
import Foundation
import Testing

/// The committed lineage and custody fixtures a custody bundle is built on.
private enum Fixture {
    static let root = AuditBinary.packageRoot.appendingPathComponent("Tests/Fixtures")

    static func lineage(_ name: String) -> String { root.appendingPathComponent("lineage/\(name)").path }
    static func custody(_ name: String) -> String { root.appendingPathComponent("custody/\(name)").path }

    static let keys = ["hub-host", "acme-developer", "quantlab-publisher", "examplecorp-deployer"]

    /// A workspace holding the three-generation model as `model.json` (in `directory` when given).
    static func workspace(directory: String? = nil) throws -> Workspace {
        let workspace = try Workspace()
        if let directory {
            try FileManager.default.createDirectory(
                atPath: workspace.path(directory), withIntermediateDirectories: true)
        }
        let manifest = try Data(contentsOf: URL(fileURLWithPath: lineage("three-generations.json")))
        try workspace.write(directory.map { "\($0)/model.json" } ?? "model.json", bytes: manifest)
        return workspace
    }

    /// The owner of each fixture key in the fixtures' trust store: a hop's actor must be its key's owner.
    static let owners = [
        "acme-developer": "Acme AI, Inc.", "blackfen-developer": "Blackfen Dynamics Co., Ltd.",
        "hollowmere-developer": "Hollowmere Analytics LLC", "hub-host": "ModelHub Ltd",
        "quantlab-publisher": "Quant Lab GmbH", "examplecorp-deployer": "Example Corp",
    ]

    /// `audit custody append` of a `mirrored` hop signed by `key`; no `--at`, so the time is taken under the lock.
    static func append(
        _ manifest: String = "model.json", key: String = "hub-host", lockTimeout: String = "300"
    ) -> [String] {
        [
            "custody", "append", manifest, "--action", "mirrored", "--actor", owners[key] ?? key, "--actor-country",
            "IE", "--key", lineage("keys/\(key).key"), "--lock-timeout", lockTimeout,
        ]
    }

    /// `audit verify` of the model with its bundle, against the fixtures' trust store.
    static func verify(_ manifest: String = "model.json") -> [String] {
        [
            "verify", manifest, "--trust", lineage("trust"), "--store", lineage("store"), "--model-dir",
            custody("weights"),
        ]
    }
}

/// Runs `commands` as simultaneous `audit` processes (one thread each, so a 2-core machine still runs them all at
/// once) and returns their results in order.
private func runConcurrently(_ commands: [[String]], in workspace: Workspace) -> [Result<AuditBinary.Result, Error>] {
    let results = ResultSlots(count: commands.count)
    let group = DispatchGroup()
    let directory = workspace.url
    for (index, arguments) in commands.enumerated() {
        group.enter()
        let thread = Thread {
            results.set(index, Result { try AuditBinary.run(arguments, in: directory) })
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return results.values
}

/// Results written by the threads of `runConcurrently`.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<AuditBinary.Result, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<AuditBinary.Result, Error>) { lock.withLock { slots[index] = result } }

    var values: [Result<AuditBinary.Result, Error>] {
        lock.withLock {
            slots.map { $0 ?? .failure(CocoaError(.featureUnsupported)) }
        }
    }
}

/// An `audit` process started in the background, so the test can kill it.
private func start(_ arguments: [String], in workspace: Workspace) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(AuditBinary.path, "run `swift build` first"))
    process.arguments = arguments
    process.currentDirectoryURL = workspace.url
    process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// An exclusive `fcntl` lock taken by the test process itself, as another writer would hold it.
private final class HeldLock {
    private var descriptor: Int32

    init(_ path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0, "cannot open \(path)")
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        try #require(fcntl(descriptor, F_SETLK, &request) == 0, "cannot lock \(path)")
    }

    func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    deinit { release() }
}

/// The PID holding a write lock on `path`, or nil when it is free (asked with `F_GETLK`, which takes no lock).
private func lockHolder(_ path: String) -> Int32? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var probe = flock()
    probe.l_type = Int16(F_WRLCK)
    probe.l_whence = Int16(SEEK_SET)
    guard fcntl(descriptor, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
    return Int32(probe.l_pid)
}

/// Runs a system tool (mount, umount), returning whether it succeeded.
@discardableResult
private func system(_ tool: String, _ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// A small tmpfs mounted on a workspace directory, when the tests run as root and may mount.
private final class SmallFileSystem {
    let path: String
    private var mounted = false

    /// Whether this machine lets the tests mount a tmpfs (root, mount(8) present and permitted).
    static let available: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("audit-mount-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: probe) }
        guard let disk = SmallFileSystem(at: probe.path, size: "64k") else { return false }
        disk.unmount()
        return true
    }()

    init?(at path: String, size: String) {
        self.path = path
        guard geteuid() == 0 else { return nil }
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard system("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path]) else { return nil }
        mounted = true
    }

    /// Remounts read-only, trying for up to five seconds: the kernel refuses (EBUSY) while a file there is still open
    /// for writing by any process, and during a full parallel test run a single try once failed where the next run
    /// passed.
    func remountReadOnly() -> Bool {
        for _ in 0..<50 {
            if system("/bin/mount", ["-o", "remount,ro", path]) { return true }
            usleep(100_000)
        }
        return false
    }

    func unmount() {
        if mounted { system("/bin/umount", [path]) }
        mounted = false
    }
}

/// The temporary files a writer left beside its target.
private func temporaries(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".tmp-") }
}

@Suite("End to end: concurrent writers, crashes and failing disks")
struct ConcurrentWriteEndToEndTests {
    @Test("20 concurrent custody appenders → 20 records in one unbroken chain")
    func twentyConcurrentAppenders() throws {
        let workspace = try Fixture.workspace()
        let commands = (0..<20).map { Fixture.append(key: Fixture.keys[$0 % Fixture.keys.count]) }
        let results = runConcurrently(commands, in: workspace)
        var acknowledged: [String] = []
        for result in results {
            let run = try result.get()
            #expect(run.exitCode == 0, "\(run)")
            // "appended mirrored by … (record sha256:DIGEST, signed by …)"
            if let range = run.stdout.range(of: "record sha256:") {
                acknowledged.append(String(run.stdout[range.upperBound...].prefix(64)))
            }
        }
        #expect(acknowledged.count == 20)

        let lines = String(decoding: try workspace.read("model.custody.jsonl"), as: UTF8.self)
            .split(separator: "\n")
        #expect(lines.count == 20)
        // Every acknowledged record is in the bundle.
        let onDisk = Set(try lines.map { try Digests.sha256Hex(Array($0.utf8)) })
        #expect(onDisk == Set(acknowledged))

        let verify = try workspace.run(Fixture.verify())
        #expect(verify.exitCode == 0, "\(verify)")
        #expect(verify.stdout.contains("20 hop(s) verified"), "\(verify)")
        #expect(temporaries(in: workspace.url.path).isEmpty)
    }

    @Test("8 concurrent co-signers with 8 distinct keys → all 8 signatures kept and verifying")
    func eightConcurrentCoSigners() throws {
        let workspace = try Workspace()
        let names = ["origin"] + (1...8).map { "cosigner\($0)" }
        for name in names { try workspace.keygen(name) }
        try workspace.makeTrustStore(names.map { ($0, "") })
        try workspace.sign("origin")

        let commands = (1...8).map {
            ["sign", "--add", "env.json", "--key", "cosigner\($0).key", "--lock-timeout", "300"]
        }
        for result in runConcurrently(commands, in: workspace) {
            let run = try result.get()
            #expect(run.exitCode == 0, "\(run)")
        }
        let signatures = try #require(try workspace.envelope()["signatures"] as? [[String: Any]])
        #expect(signatures.count == 9)
        #expect(Set(signatures.compactMap { $0["keyid"] as? String }).count == 9)
        let verify = try workspace.run(["verify", "env.json", "--trust", "trust", "--threshold", "9"])
        #expect(verify.exitCode == 0, "\(verify)")
        #expect(verify.stdout.contains("verified: 9 distinct trusted keys"), "\(verify)")
    }

    @Test("an appender killed with SIGKILL while waiting for the lock leaves the bundle intact and no lock behind")
    func appenderKilledWhileWaiting() throws {
        let workspace = try Fixture.workspace()
        #expect(try workspace.run(Fixture.append()).exitCode == 0)
        let before = try workspace.read("model.custody.jsonl")

        let held = try HeldLock(workspace.path("model.custody.jsonl.lock"))
        let appender = try start(Fixture.append(), in: workspace)
        Thread.sleep(forTimeInterval: 0.3)  // usually enough to be waiting for the lock; not relied on
        kill(appender.processIdentifier, SIGKILL)
        appender.waitUntilExit()
        #expect(appender.terminationReason == .uncaughtSignal)
        held.release()

        #expect(try workspace.read("model.custody.jsonl") == before)
        #expect(lockHolder(workspace.path("model.custody.jsonl.lock")) == nil)
        let next = try workspace.run(Fixture.append(lockTimeout: "60"))
        #expect(next.exitCode == 0, "\(next)")
        let verify = try workspace.run(Fixture.verify())
        #expect(verify.exitCode == 0, "\(verify)")
        #expect(verify.stdout.contains("2 hop(s) verified"), "\(verify)")
    }

    @Test("appenders killed with SIGKILL at any point: the bundle always verifies and the next append succeeds")
    func appendersKilledMidWrite() throws {
        let workspace = try Fixture.workspace()
        let lockPath = workspace.path("model.custody.jsonl.lock")
        var killedHoldingLock = 0
        for round in 0..<12 {
            let appender = try start(Fixture.append(), in: workspace)
            if round % 2 == 0 {
                // Kill it the moment it holds the lock: somewhere between reading the tip and the rename.
                let deadline = Date().addingTimeInterval(30)
                while appender.isRunning && Date() < deadline {
                    if lockHolder(lockPath) == appender.processIdentifier {
                        kill(appender.processIdentifier, SIGKILL)
                        killedHoldingLock += 1
                        break
                    }
                    usleep(200)
                }
            } else {
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.4))
            }
            kill(appender.processIdentifier, SIGKILL)
            appender.waitUntilExit()

            // Whatever the kill interrupted, the bundle is the old one or the new one, never a torn one.
            if FileManager.default.fileExists(atPath: workspace.path("model.custody.jsonl")) {
                let bytes = try workspace.read("model.custody.jsonl")
                #expect(bytes.last == 0x0A, "round \(round): the bundle does not end with a complete line")
                let verify = try workspace.run(Fixture.verify())
                #expect(verify.exitCode == 0, "round \(round): \(verify)")
            }
            #expect(lockHolder(lockPath) == nil, "round \(round): the lock outlived its holder")
        }
        let next = try workspace.run(Fixture.append(lockTimeout: "60"))
        #expect(next.exitCode == 0, "\(next)")
        let verify = try workspace.run(Fixture.verify())
        #expect(verify.exitCode == 0, "\(verify)")
        // The append after the kills removed whatever temporary files the killed writers left.
        #expect(temporaries(in: workspace.url.path).isEmpty)
        print("killed \(killedHoldingLock) of 6 appenders while they held the lock")
    }

    @Test("a lock held past --lock-timeout → exit 2 naming the file and the holder; nothing written")
    func lockTimeout() throws {
        let workspace = try Fixture.workspace()
        #expect(try workspace.run(Fixture.append()).exitCode == 0)
        let before = try workspace.read("model.custody.jsonl")
        let held = try HeldLock(workspace.path("model.custody.jsonl.lock"))
        let result = try workspace.run(Fixture.append(lockTimeout: "0.5"))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("cannot lock model.custody.jsonl: model.custody.jsonl.lock is held by "
            + "process \(getpid())"), "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(try workspace.read("model.custody.jsonl") == before)
        held.release()

        try workspace.keygen("dev")
        try workspace.keygen("auditor")
        try workspace.sign("dev")
        let envelope = try workspace.read("env.json")
        let heldEnvelope = try HeldLock(workspace.path("env.json.lock"))
        let cosign = try workspace.run(["sign", "--add", "env.json", "--key", "auditor.key", "--lock-timeout", "0"])
        #expect(cosign.exitCode == 2, "\(cosign)")
        #expect(cosign.stderr.contains("cannot lock env.json: env.json.lock is held by process \(getpid())"))
        #expect(try workspace.read("env.json") == envelope)
        heldEnvelope.release()
        #expect(try workspace.run(["sign", "--add", "env.json", "--key", "auditor.key"]).exitCode == 0)
    }

    @Test("a bundle whose last record belongs to another model is not extended")
    func tipOfAnotherModelIsRefused() throws {
        let workspace = try Fixture.workspace()
        #expect(try workspace.run(Fixture.append()).exitCode == 0)
        let before = try workspace.read("model.custody.jsonl")
        try workspace.write("other.json", bytes: try Data(contentsOf: URL(
            fileURLWithPath: Fixture.lineage("denied-grandparent.json"))))
        let result = try workspace.run(Fixture.append("other.json") + ["--custody", "model.custody.jsonl"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("model.custody.jsonl line 1 belongs to another model"), "\(result)")
        #expect(try workspace.read("model.custody.jsonl") == before)
    }

    @Test("--lock-timeout must be a number of seconds", arguments: ["-1", "nan", "1e9", "soon"])
    func invalidLockTimeout(value: String) throws {
        let workspace = try Fixture.workspace()
        let result = try workspace.run(Fixture.append(lockTimeout: value))
        #expect(result.exitCode == 64, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("model.custody.jsonl")))
    }

    // Needs root and mount(8); the file-size-limit test below covers the same failure everywhere.
    @Test("a full disk (small tmpfs) → exit 2, the bundle intact, no temporary file left",
        .enabled(if: SmallFileSystem.available, "needs root and a tmpfs mount"))
    func fullDiskOnTmpfs() throws {
        let workspace = try Workspace()
        let disk = try #require(SmallFileSystem(at: workspace.path("disk"), size: "64k"))
        defer { disk.unmount() }
        try workspace.write("disk/model.json", bytes: try Data(contentsOf: URL(
            fileURLWithPath: Fixture.lineage("three-generations.json"))))
        #expect(try workspace.run(Fixture.append("disk/model.json")).exitCode == 0)
        let before = try workspace.read("disk/model.custody.jsonl")

        // Fill the file system to the last byte.
        let filler = open(disk.path + "/filler", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        try #require(filler >= 0)
        let block = [UInt8](repeating: 0x55, count: 4096)
        var remaining = 1 << 20
        while remaining > 0 {
            let n = block.withUnsafeBytes { write(filler, $0.baseAddress, min(remaining, $0.count)) }
            if n <= 0 { break }
            remaining -= n
        }
        close(filler)

        let result = try workspace.run(Fixture.append("disk/model.json"))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("cannot write disk/model.custody.jsonl: No space left on device "
            + "(the existing file is unchanged)"), "\(result)")
        #expect(!result.stdout.contains("appended"))
        #expect(try workspace.read("disk/model.custody.jsonl") == before)
        #expect(temporaries(in: disk.path).isEmpty)

        unlink(disk.path + "/filler")
        let retry = try workspace.run(Fixture.append("disk/model.json"))
        #expect(retry.exitCode == 0, "\(retry)")
        let verify = try workspace.run(Fixture.verify("disk/model.json"))
        #expect(verify.exitCode == 0, "\(verify)")
        #expect(verify.stdout.contains("2 hop(s) verified"), "\(verify)")
    }

    @Test("a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) → exit 2, the bundle intact")
    func fileSizeLimit() throws {
        let workspace = try Fixture.workspace()
        for _ in 0..<3 { #expect(try workspace.run(Fixture.append()).exitCode == 0) }
        let before = try workspace.read("model.custody.jsonl")
        #expect(before.count > 2048)
        let binary = try #require(AuditBinary.path)
        // `ulimit -f 2`: 2 KiB, smaller than the bundle; SIGXFSZ ignored so write(2) fails with EFBIG.
        let result = try workspace.run(
            ["-c", "trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\"", binary] + Fixture.append(),
            shell: "/bin/bash")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("cannot write model.custody.jsonl: File too large "
            + "(the existing file is unchanged)"), "\(result)")
        #expect(try workspace.read("model.custody.jsonl") == before)
        #expect(temporaries(in: workspace.url.path).isEmpty)
        #expect(try workspace.run(Fixture.verify()).exitCode == 0)
    }

    @Test("a read-only directory → exit 2, the bundle and the envelope intact",
        .enabled(if: geteuid() != 0 || SmallFileSystem.available, "root needs a read-only mount"))
    func readOnlyDirectory() throws {
        let workspace = try Fixture.workspace(directory: "models")
        let directory = workspace.path("models")
        #expect(try workspace.run(Fixture.append("models/model.json")).exitCode == 0)
        try workspace.keygen("dev")
        try workspace.sign("dev", into: "models/env.json")
        let bundle = try workspace.read("models/model.custody.jsonl")
        let envelope = try workspace.read("models/env.json")

        var disk: SmallFileSystem?
        if geteuid() == 0 {
            // Root ignores permission bits: a read-only mount is the only read-only directory it has.
            let readOnly = workspace.path("readonly")
            guard let mounted = SmallFileSystem(at: readOnly, size: "1m") else {
                Issue.record("cannot mount a tmpfs at \(readOnly)")
                return
            }
            disk = mounted
            for name in ["model.json", "model.custody.jsonl", "env.json"] {
                try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: readOnly + "/" + name)
            }
            try #require(disk?.remountReadOnly() == true)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory)
        }
        defer {
            disk?.unmount()
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        }
        let folder = disk == nil ? "models" : "readonly"

        let append = try workspace.run(Fixture.append("\(folder)/model.json"))
        #expect(append.exitCode == 2, "\(append)")
        #expect(append.stderr.contains("\(folder)/model.custody.jsonl"), "\(append)")
        #expect(try workspace.read("\(folder)/model.custody.jsonl") == bundle)

        let cosign = try workspace.run(["sign", "--add", "\(folder)/env.json", "--key", "dev.key"])
        #expect(cosign.exitCode == 2, "\(cosign)")
        #expect(cosign.stderr.contains("\(folder)/env.json"), "\(cosign)")
        #expect(try workspace.read("\(folder)/env.json") == envelope)
    }

    @Test("a new private key is created with mode 0600, whatever the umask")
    func privateKeyMode() throws {
        let workspace = try Workspace()
        let binary = try #require(AuditBinary.path)
        let result = try workspace.run(
            ["-c", "umask 000; exec \"$0\" \"$@\"", binary, "keygen", "--out", "dev"], shell: "/bin/sh")
        #expect(result.exitCode == 0, "\(result)")
        let key = try FileManager.default.attributesOfItem(atPath: workspace.path("dev.key"))
        #expect((key[.posixPermissions] as? Int) == 0o600)
        let publicKey = try FileManager.default.attributesOfItem(atPath: workspace.path("dev.pub"))
        #expect((publicKey[.posixPermissions] as? Int) == 0o644)
    }
}

extension Workspace {
    /// Runs `shell` with `arguments` in the workspace (for a resource limit or umask set before `exec audit`).
    func run(_ arguments: [String], shell: String) throws -> AuditBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = arguments
        process.currentDirectoryURL = url
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return AuditBinary.Result(
            exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}
