import Foundation

/// libFuzzer's entry point for a program that has its own `main` (available since LLVM 12).
@_silgen_name("LLVMFuzzerRunDriver")
private func runLibFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Shared plumbing for the fuzz targets: the input as bytes, a scratch directory for parsers that read files,
/// and the way a target reports a broken invariant (a crash, so libFuzzer keeps the input).
public enum FuzzSupport {
    /// Hands the command line to libFuzzer, which calls `testOneInput` for every input, and exits with its status.
    ///
    /// SwiftPM links an executable target's `main.swift` as the program's entry point, so libFuzzer's own `main`
    /// is not used; its driver is called from there instead, with the same options and behaviour.
    public static func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runLibFuzzerDriver(&argc, &argv, testOneInput))
    }

    /// The `Fuzz/` directory of the checkout this target was built from.
    public static let fuzzDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository root (the parent of `Fuzz/`), where the fixtures a harness copies from live.
    public static var repositoryRoot: URL { fuzzDirectory.deletingLastPathComponent() }

    /// The fuzzer's input as an array (libFuzzer may pass a null pointer for an empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// A fresh directory under `Fuzz/.work/` for this process, so parallel or repeated runs never share files
    /// and nothing is written outside the checkout.
    public static func makeScratchDirectory(_ target: String) -> URL {
        let directory = fuzzDirectory.appendingPathComponent(".work")
            .appendingPathComponent("\(target)-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            invariantBroken("cannot create the scratch directory \(directory.path): \(error)")
        }
        return directory
    }

    /// Copies the named files (paths relative to the repository root) into `directory`, keeping file names.
    public static func copyFixtures(_ paths: [String], into directory: URL) {
        for path in paths {
            let source = repositoryRoot.appendingPathComponent(path)
            let target = directory.appendingPathComponent(source.lastPathComponent)
            do {
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: source, to: target)
            } catch {
                invariantBroken("cannot copy fixture \(path): \(error)")
            }
        }
    }

    /// Every file directly in a repository folder whose name ends with `suffix`, as repository-relative paths.
    public static func fixtures(in folder: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(
            atPath: repositoryRoot.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { "\(folder)/\($0)" }
    }

    /// Writes `bytes` to `url`, replacing it; a failure here is the harness's, so it stops the run.
    public static func write(_ bytes: [UInt8], to url: URL) {
        do {
            try Data(bytes).write(to: url)
        } catch {
            invariantBroken("cannot write \(url.path): \(error)")
        }
    }

    /// Stops the process with a message: libFuzzer records the input that led here as a crash.
    public static func invariantBroken(_ message: String) -> Never {
        FileHandle.standardError.write(Data("fuzz invariant broken: \(message)\n".utf8))
        abort()
    }
}
