import Foundation
import Testing

@testable import ModelAudit

/// The fleet listing read with `readdir`: the same manifests `FileManager` finds, and the custody bundles beside
/// them found from the listing as `stat` would find them.
@Suite struct EnvelopeListingTests {
    /// A directory with every kind of name the listing must sort out.
    static func makeFleet() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("listing-\(UUID().uuidString)").path
        let fleet = root + "/fleet"
        let manager = FileManager.default
        try manager.createDirectory(atPath: fleet + "/dir.json", withIntermediateDirectories: true)
        for name in ["b.json", "a.json", "m.sig", "notes.txt", "a.custody.jsonl", "m.sig.custody.jsonl", ".h.json"] {
            try Data("{}".utf8).write(to: URL(fileURLWithPath: fleet + "/" + name))
        }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/outside.json"))
        try manager.createSymbolicLink(atPath: fleet + "/linked.json", withDestinationPath: "../outside.json")
        try manager.createSymbolicLink(atPath: fleet + "/dangling.json", withDestinationPath: "nowhere.json")
        try manager.createSymbolicLink(atPath: fleet + "/to-dir.json", withDestinationPath: "dir.json")
        // A bundle that is a dangling link is not there, as `stat` says; one that links to a file is.
        try manager.createSymbolicLink(atPath: fleet + "/b.custody.jsonl", withDestinationPath: "nowhere.jsonl")
        try manager.createSymbolicLink(atPath: fleet + "/linked.custody.jsonl", withDestinationPath: "a.custody.jsonl")
        return root
    }

    /// What the listing replaced: `FileManager` names, filtered and checked one `fileExists` at a time.
    static func foundationFiles(_ directory: String) throws -> [String] {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".sig") }.sorted()
            .map { "\(base)/\($0)" }
            .filter {
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
    }

    @Test func listsTheManifestsFileManagerFinds() throws {
        let root = try Self.makeFleet()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for spelling in [root + "/fleet", root + "/fleet/"] {
            let listing = try EnvelopeListing([spelling])
            #expect(listing.files == (try Self.foundationFiles(spelling)))
            #expect(listing.files.map { ($0 as NSString).lastPathComponent }
                == [".h.json", "a.json", "b.json", "linked.json", "m.sig"])
        }
    }

    @Test func findsCustodyBundlesAsStatDoes() throws {
        let root = try Self.makeFleet()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fleet = root + "/fleet"
        let listing = try EnvelopeListing([fleet, root + "/outside.json"])
        #expect(listing.files.last == root + "/outside.json")
        for file in listing.files + [fleet + "/dangling.json", fleet + "/unlisted.json"] {
            #expect(listing.custodyBundle(for: file) == Auditor.custodyBundleBeside(file), "\(file)")
        }
        #expect(listing.custodyBundle(for: fleet + "/a.json") == .sidecar(fleet + "/a.custody.jsonl"))
        #expect(listing.custodyBundle(for: fleet + "/m.sig") == .sidecar(fleet + "/m.sig.custody.jsonl"))
        #expect(listing.custodyBundle(for: fleet + "/linked.json") == .sidecar(fleet + "/linked.custody.jsonl"))
        #expect(listing.custodyBundle(for: fleet + "/b.json") == nil)
        // Named on its own, a manifest's bundle is looked for on disk.
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/outside.custody.jsonl"))
        #expect(listing.custodyBundle(for: root + "/outside.json") == .sidecar(root + "/outside.custody.jsonl"))
    }

    @Test func aMissingOrUnreadableArgumentIsAnError() throws {
        let root = try Self.makeFleet()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: InputFile.ReadError(path: root + "/absent", kind: .missing)) {
            try EnvelopeListing([root + "/absent"])
        }
        guard getuid() != 0 else { return }  // root reads any directory
        let locked = root + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0)
        defer { chmod(locked, 0o755) }
        #expect(throws: InputFile.ReadError.self) { try EnvelopeListing([locked]) }
    }
}
