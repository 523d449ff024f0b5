import Foundation
import Testing

/// The temporary directories one test case made, removed when it finishes, so a test run leaves nothing behind.
///
/// A helper that makes a directory registers it with `TemporaryDirectories.made(_:)`; the suite opts in with the
/// `.removesTemporaryDirectories` trait, which gives each test case its own list (a task-local, so parameterised
/// cases running at once never share one) and deletes what is on it once the case has run, passed or failed.
final class TemporaryDirectories: @unchecked Sendable {
    @TaskLocal static var current: TemporaryDirectories?

    private let lock = NSLock()
    private var directories: [URL] = []

    /// A new directory `<temp>/<prefix>-<UUID>`, removed after the current test case.
    static func make(prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        made(directory)
        return directory
    }

    /// Registers `directory` for removal after the current test case; outside a suite with the trait that is a test
    /// defect, recorded as an issue so it cannot leak unnoticed.
    static func made(_ directory: URL) {
        guard let current else {
            Issue.record("\(directory.lastPathComponent) was made outside a .removesTemporaryDirectories suite")
            return
        }
        current.lock.withLock { current.directories.append(directory) }
    }

    fileprivate func removeAll() {
        let made = lock.withLock { directories }
        for directory in made {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

/// Gives each test case its own `TemporaryDirectories` and removes them when the case ends.
struct RemovesTemporaryDirectoriesTrait: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let directories = TemporaryDirectories()
        defer { directories.removeAll() }
        try await TemporaryDirectories.$current.withValue(directories) {
            try await function()
        }
    }
}

extension SuiteTrait where Self == RemovesTemporaryDirectoriesTrait {
    /// Removes the temporary directories each test case of the suite made (`TemporaryDirectories.make`) once it ran.
    static var removesTemporaryDirectories: Self { Self() }
}

extension TestTrait where Self == RemovesTemporaryDirectoriesTrait {
    /// Removes the temporary directories each case of the test made (`TemporaryDirectories.make`) once it has run.
    static var removesTemporaryDirectories: Self { Self() }
}
