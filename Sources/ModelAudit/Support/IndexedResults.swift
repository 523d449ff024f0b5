import Foundation

/// One slot per input, filled from many threads: how concurrent work keeps its results in input order.
public final class IndexedResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value?]
    private var nextIndex = 0

    public init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    /// Hands out the indices 0, 1, 2 … to whichever worker asks next; `nil` once all are taken.
    public func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < slots.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    public func set(_ index: Int, _ value: Value) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// Every slot in input order; call once every worker has finished.
    public var values: [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
