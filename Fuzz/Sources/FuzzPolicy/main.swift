import Foundation
import FuzzSupport
import ModelAudit

/// A scratch directory holding the screening lists and base policies the sample policies name, so inputs derived
/// from them load their lists and `extends` chains as in real use.
enum PolicyScratch {
    static let directory: URL = {
        let scratch = FuzzSupport.makeScratchDirectory("FuzzPolicy")
        let directory = scratch.appendingPathComponent("policies")
        let lists = FuzzSupport.fixtures(in: "policies/screening", suffix: ".csv")
            + FuzzSupport.fixtures(in: "Tests/Fixtures/policy/screening", suffix: ".csv")
        // Lists are named both as `screening/x.csv` (policies/) and `../screening/x.csv` (the test fixtures).
        for folder in [directory.appendingPathComponent("screening"), scratch.appendingPathComponent("screening")] {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                FuzzSupport.invariantBroken("cannot create \(folder.path): \(error)")
            }
            FuzzSupport.copyFixtures(lists, into: folder)
        }
        let bases = FuzzSupport.fixtures(in: "Tests/Fixtures/policy/valid", suffix: ".yaml")
        FuzzSupport.copyFixtures(bases, into: directory)
        return directory
    }()

    /// The policy file is named without an extension, so the loader chooses JSON for a document starting with `{` or
    /// `[` and YAML otherwise: one target covers both formats.
    static let file = directory.appendingPathComponent("fuzz-policy")
}

/// The policy loader on arbitrary bytes: YAML or JSON parsing, `extends`, rule building, screening lists, waivers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzSupport.write(FuzzSupport.bytes(data, size), to: PolicyScratch.file)
    _ = try? PolicyLoader.load(path: PolicyScratch.file.path)
    return 0
}

FuzzSupport.runFuzzer(fuzzPolicy)
