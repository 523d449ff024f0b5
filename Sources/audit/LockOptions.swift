import ArgumentParser
import Foundation

/// How long a command that updates a file in place waits for another writer of that file to finish.
struct LockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Wait at most this many seconds for another writer of the same file.", valueName: "seconds"))
    var lockTimeout: Double = 10

    func validate() throws {
        guard lockTimeout.isFinite, lockTimeout >= 0, lockTimeout <= 86_400 else {
            throw ValidationError("--lock-timeout must be a number of seconds from 0 to 86400")
        }
    }

    var timeout: Duration {
        .milliseconds(Int64((lockTimeout * 1000).rounded()))
    }
}
