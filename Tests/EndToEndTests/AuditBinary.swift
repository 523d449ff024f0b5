import Foundation
import Testing

/// Runs the built `audit` executable, as a user or a CI job would.
struct AuditBinary {
    struct Result: CustomStringConvertible {
        let exitCode: Int32
        let stdout: String
        let stderr: String

        var description: String { "exit \(exitCode)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    /// The package root (this file is `<root>/Tests/EndToEndTests/AuditBinary.swift`).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle, or `AUDIT_BINARY` when set.
    static let path: String? = {
        if let override = ProcessInfo.processInfo.environment["AUDIT_BINARY"] { return override }
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("audit"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("audit"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("audit"))
        candidates.append(packageRoot.appendingPathComponent(".build/debug/audit"))
        return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs `audit` with `arguments` in `directory`, with `environment` added to a clean environment.
    @discardableResult
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: Data? = nil
    ) throws -> Result {
        let binary = try #require(path, "the audit binary was not found; run `swift build` first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Drain both pipes concurrently so a large output cannot block the child.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

/// Data handed from the reader thread; `value` waits until it has been set.
final class LockedData: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var data = Data()

    func set(_ value: Data) {
        data = value
        ready.signal()
    }

    /// Blocks until `set` has run once; the semaphore orders the write before this read.
    var value: Data {
        ready.wait()
        ready.signal()
        return data
    }
}

/// A scratch directory with a trust store and keys made by the binary itself.
final class Workspace {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("audit-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        let target = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
    }

    func write(_ name: String, bytes: Data) throws {
        try bytes.write(to: url.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: url.appendingPathComponent(name))
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> AuditBinary.Result {
        try AuditBinary.run(arguments, in: url, environment: environment)
    }

    /// Generates `name.key`/`name.pub` with `audit keygen` and returns the key id it printed.
    @discardableResult
    func keygen(_ name: String, algorithm: String = "ed25519") throws -> String {
        let result = try run(["keygen", "--algorithm", algorithm, "--out", name])
        #expect(result.exitCode == 0, "keygen failed: \(result)")
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("key id:") } ?? ""
        return line.replacingOccurrences(of: "key id:", with: "").trimmingCharacters(in: .whitespaces)
    }

    /// A trust directory `trust/` holding the given public keys, each with roles and optional extra metadata.
    ///
    /// A key's owner is `owners[name]`, or "NAME owner" — which is nobody a manifest declares, so a manifest
    /// signed with such a key fails `signatures.required-roles` for developer and publisher.
    func makeTrustStore(
        _ entries: [(name: String, extra: String)], directory: String = "trust", owners: [String: String] = [:]
    ) throws {
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent(directory), withIntermediateDirectories: true)
        var items: [String] = []
        for (name, extra) in entries {
            try FileManager.default.copyItem(
                at: url.appendingPathComponent("\(name).pub"),
                to: url.appendingPathComponent("\(directory)/\(name).pub"))
            items.append(
                "{\"file\": \"\(name).pub\", \"owner\": \"\(owners[name] ?? "\(name) owner")\", "
                    + "\"roles\": [\"developer\"]\(extra)}")
        }
        try write("\(directory)/trust.json", "{\"version\": 1, \"keys\": [\(items.joined(separator: ", "))]}")
    }

    /// The worked example manifest from the docs: a valid provenance statement that `verify` judges.
    static let exampleManifest: String = (try? String(
        contentsOf: AuditBinary.packageRoot.appendingPathComponent("docs/examples/manifest.json"), encoding: .utf8))
        ?? "the example manifest docs/examples/manifest.json is missing"

    /// Signs `payload` (by default the docs' example manifest) with `key` into `envelope`.
    func sign(_ key: String, payload: String = Workspace.exampleManifest, into envelope: String = "env.json") throws {
        try write("payload.json", payload)
        let result = try run(["sign", "payload.json", "--key", "\(key).key", "-o", envelope])
        #expect(result.exitCode == 0, "sign failed: \(result)")
    }

    /// The envelope as a mutable JSON dictionary (test-side tampering).
    func envelope(_ name: String = "env.json") throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: read(name))
        return try #require(object as? [String: Any])
    }

    func writeEnvelope(_ object: [String: Any], _ name: String = "env.json") throws {
        try write(name, bytes: JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}
