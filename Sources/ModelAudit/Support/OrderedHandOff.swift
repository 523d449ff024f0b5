import Foundation

/// Hands work out by index to many workers and passes the results on one at a time, in index order, as soon as
/// each result and every one before it are done: how a fleet run writes its report while it is still auditing.
///
/// Only one worker delivers at a time (whichever finished the result that was being waited for), so the
/// receiver needs no lock of its own. At most `window` results wait for an earlier one: a worker asking for
/// more waits instead, so one slow model cannot make the rest pile up in memory.
public final class OrderedHandOff<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let window: Int
    private var waiting: [Int: Value] = [:]
    private var nextToTake = 0
    private var nextToDeliver = 0
    private var delivering = false
    private var failure: (any Error)?

    public init(count: Int, window: Int) {
        self.count = count
        self.window = max(1, window)
    }

    /// The next index to work on, or `nil` when every index is taken or a delivery failed.
    public func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while failure == nil && nextToTake < count && nextToTake - nextToDeliver >= window {
            condition.wait()
        }
        guard failure == nil, nextToTake < count else { return nil }
        nextToTake += 1
        return nextToTake - 1
    }

    /// Stores the result for `index`; if it is the one being waited for, delivers it and every result after it
    /// that is ready. The first error `deliver` throws stops the hand-out: `take` returns `nil` from then on.
    public func put(_ index: Int, _ value: Value, deliver: (Value) throws -> Void) {
        condition.lock()
        defer { condition.unlock() }
        waiting[index] = value
        // The delivering worker checks for more before it stops, under this lock: nothing is left behind.
        guard !delivering else { return }
        delivering = true
        while failure == nil, let next = waiting.removeValue(forKey: nextToDeliver) {
            condition.unlock()
            var problem: (any Error)?
            do {
                try deliver(next)
            } catch {
                problem = error
            }
            condition.lock()
            nextToDeliver += 1
            if let problem { failure = problem }
            condition.broadcast()
        }
        delivering = false
    }

    /// Throws the error that stopped delivery, if any; call once every worker has finished.
    public func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
    }
}
