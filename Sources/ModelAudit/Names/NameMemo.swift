import Foundation

/// Results of a pure function of a name, remembered for the rest of the process.
///
/// A fleet run asks about the same developers, key owners, publishers and hosts thousands of times. The function
/// depends on the name alone, so a remembered result is the result. The memo stops growing at `capacity` names: a
/// fleet of unique names costs what it did without it, never unbounded memory.
final class NameMemo<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (name: String, value: Value)] = [:]
    private let capacity: Int
    private let compute: @Sendable (String) -> Value

    init(capacity: Int = 100_000, _ compute: @escaping @Sendable (String) -> Value) {
        self.capacity = capacity
        self.compute = compute
    }

    /// The function's value for `name`, computed at most once while the memo has room.
    func callAsFunction(_ name: String) -> Value {
        value(for: name) { compute(name) }
    }

    /// The function's value for `name`, from `fresh` when the memo has none yet: for a caller that already holds what
    /// the function would start from (it must give what `compute` would).
    func value(for name: String, computing fresh: () -> Value) -> Value {
        lock.lock()
        let known = entries[name]
        lock.unlock()
        // String equality is canonical equivalence; a name spelled with other code points gets its own result.
        if let known, Self.sameBytes(known.name, name) { return known.value }
        // Computed outside the lock: two workers may both compute a new name, and get the same answer.
        let value = fresh()
        lock.lock()
        if entries.count < capacity { entries[name] = (name, value) }
        lock.unlock()
        return value
    }

    /// Whether two strings have the same UTF-8 bytes: compared in place, a block at a time, not scalar by scalar.
    private static func sameBytes(_ first: String, _ second: String) -> Bool {
        guard first.utf8.count == second.utf8.count else { return false }
        let compared = first.utf8.withContiguousStorageIfAvailable { left in
            second.utf8.withContiguousStorageIfAvailable { right in
                guard let leftStart = left.baseAddress, let rightStart = right.baseAddress else { return true }
                return memcmp(leftStart, rightStart, left.count) == 0
            }
        }
        if case .some(.some(let same)) = compared { return same }
        return first.utf8.elementsEqual(second.utf8)
    }
}
