import Foundation

/// Results of a pure function of a name, remembered for the rest of the process.
///
/// A fleet run asks about the same developers, key owners, publishers and hosts thousands of times. The function
/// depends on the name alone, so a remembered result is the result. The memo stops growing at `capacity` names: a
/// fleet of unique names costs what it did without it, never unbounded memory.
///
/// Each thread keeps to a shard of its own (up to `shardCount` threads): its own lock, table and results. A fleet's
/// workers ask about the same names all the time, and one shared table had them take turns at one lock and count
/// references on the same results, each core pulling those memory lines from the other's cache for every name.
/// A result is then computed once per shard instead of once, which a pure function allows.
final class NameMemo<Value>: @unchecked Sendable {
    /// One thread's table: an object of its own, with its own lock (and the lock's own mutex).
    private final class Shard: @unchecked Sendable {
        let lock = NSLock()
        /// Unchecked: only touched under `lock`, where the run-time exclusivity check would only add its cost.
        @exclusivity(unchecked) var entries: [String: (name: String, value: Value)] = [:]
    }

    /// More shards than most machines have workers would only spread each name's result over more tables.
    static var shardCount: Int { 8 }

    private let shards: [Shard]
    private let capacityPerShard: Int
    private let compute: @Sendable (String) -> Value

    init(capacity: Int = 100_000, _ compute: @escaping @Sendable (String) -> Value) {
        self.shards = (0..<Self.shardCount).map { _ in Shard() }
        self.capacityPerShard = max(1, capacity / Self.shardCount)
        self.compute = compute
    }

    /// The function's value for `name`, computed at most once per shard while the memo has room.
    func callAsFunction(_ name: String) -> Value {
        value(for: name) { compute(name) }
    }

    /// The function's value for `name`, from `fresh` when the memo has none yet: for a caller that already holds what
    /// the function would start from (it must give what `compute` would).
    @inline(__always)
    func value(for name: String, computing fresh: () -> Value) -> Value {
        let shard = shards[ThreadSlot.current % shards.count]
        shard.lock.lock()
        let known = shard.entries[name]
        shard.lock.unlock()
        // String equality is canonical equivalence; a name spelled with other code points gets its own result.
        if let known, Self.sameBytes(known.name, name) { return known.value }
        // Computed outside the lock: a thread sharing the shard may compute the same new name, and get the same answer.
        let value = fresh()
        shard.lock.lock()
        if shard.entries.count < capacityPerShard { shard.entries[name] = (name, value) }
        shard.lock.unlock()
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

/// A small number for each thread, given in the order threads first ask: 0, 1, 2… It only spreads threads over
/// shards, so a number is never handed back when its thread ends.
enum ThreadSlot {
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, nil) == 0 ? key : nil
    }()
    private static let next = NSLock()
    nonisolated(unsafe) private static var issued = 0

    /// This thread's number; 0 for every thread if the system had no thread-specific key to give.
    static var current: Int {
        guard let key else { return 0 }
        // Stored plus one, so a thread that has none yet reads as nil.
        if let stored = pthread_getspecific(key) { return Int(bitPattern: stored) - 1 }
        next.lock()
        let slot = issued
        issued += 1
        next.unlock()
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: slot + 1))
        return slot
    }
}
