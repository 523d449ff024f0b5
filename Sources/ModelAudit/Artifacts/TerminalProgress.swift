import Dispatch
import Foundation

/// A one-line hashing progress bar on stderr, drawn only when a person is watching a long run.
///
/// Nothing is printed unless stderr is a terminal and the job is larger than `threshold` bytes, so pipes, CI
/// logs and small models stay clean. Redraws are throttled to ten a second; safe to call from many workers.
public final class TerminalProgress: DigestProgress, @unchecked Sendable {
    /// Jobs at most this large finish too quickly to need a bar.
    public static let defaultThreshold: UInt64 = 256 << 20

    private let lock = NSLock()
    private let threshold: UInt64
    private let isTerminal: Bool
    private let sink: @Sendable (String) -> Void
    private let redrawNanos: UInt64
    private var enabled = false
    private var totalBytes: UInt64 = 0
    private var doneBytes: UInt64 = 0
    private var files = 0
    private var startNanos: UInt64 = 0
    private var lastDrawNanos: UInt64 = 0

    /// A bar on stderr when it is a terminal.
    public convenience init(threshold: UInt64 = TerminalProgress.defaultThreshold) {
        self.init(threshold: threshold, isTerminal: isatty(STDERR_FILENO) == 1) { text in
            Array(text.utf8).withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var offset = 0
                while offset < raw.count {
                    let written = write(STDERR_FILENO, base + offset, raw.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    /// A bar written to `sink` (tests), drawn as if stderr were a terminal when `isTerminal` is true.
    init(
        threshold: UInt64, isTerminal: Bool, redrawNanos: UInt64 = 100_000_000,
        sink: @escaping @Sendable (String) -> Void
    ) {
        self.threshold = threshold
        self.isTerminal = isTerminal
        self.redrawNanos = redrawNanos
        self.sink = sink
    }

    public func started(totalBytes: UInt64, files: Int) {
        lock.lock()
        defer { lock.unlock() }
        self.totalBytes = totalBytes
        self.files = files
        doneBytes = 0
        startNanos = DispatchTime.now().uptimeNanoseconds
        lastDrawNanos = startNanos  // the first draw waits one interval, until the rate means something
        enabled = isTerminal && totalBytes > threshold
    }

    public func advanced(bytes: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        doneBytes += bytes
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDrawNanos >= redrawNanos else { return }
        lastDrawNanos = now
        sink("\r\u{1B}[2K" + line(now: now))
    }

    public func finished() {
        lock.lock()
        defer { lock.unlock() }
        if enabled { sink("\r\u{1B}[2K") }
        enabled = false
    }

    /// `hashing 6 files  1.21/2.15 GB  56% [###########---------]  1830 MB/s  ETA 0:01`
    private func line(now: UInt64) -> String {
        let done = min(doneBytes, totalBytes)
        let fraction = totalBytes == 0 ? 1 : Double(done) / Double(totalBytes)
        let width = 20
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let seconds = Double(now - startNanos) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var text = "hashing \(files) file\(files == 1 ? "" : "s")  "
        text += "\(Self.gigabytes(done))/\(Self.gigabytes(totalBytes)) GB  \(Int(fraction * 100))% [\(bar)]"
        if rate > 0 {
            let eta = Int((Double(totalBytes - done) / rate).rounded(.up))
            text += "  \(Int(rate / 1e6)) MB/s  ETA \(eta / 60):" + (eta % 60 < 10 ? "0" : "") + "\(eta % 60)"
        }
        return text
    }

    private static func gigabytes(_ bytes: UInt64) -> String {
        let hundredths = Int((Double(bytes) / 1e7).rounded())
        return "\(hundredths / 100)." + (hundredths % 100 < 10 ? "0" : "") + "\(hundredths % 100)"
    }
}
