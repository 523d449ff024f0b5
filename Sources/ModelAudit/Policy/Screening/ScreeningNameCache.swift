import Foundation

/// Names already analysed for screening in this process, so a fleet run analyses each distinct name once.
///
/// A fleet names the same developers, publishers, hosts and compute providers thousands of times, and analysing a
/// name (invisible characters, legal forms, confusable skeletons, scripts) was the costliest step of evaluating a
/// policy. `ScreeningName` is a pure function of the name, so a remembered analysis is the analysis. The cache
/// stops growing at `capacity` names: a fleet of unique names costs what it did before, never unbounded memory.
final class ScreeningNameCache: @unchecked Sendable {
    static let shared = ScreeningNameCache(capacity: 100_000)

    private let lock = NSLock()
    private var names: [String: ScreeningName] = [:]
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The analysis of `name`, computed at most once while the cache has room.
    func analysis(of name: String) -> ScreeningName {
        lock.lock()
        let known = names[name]
        lock.unlock()
        // String equality is canonical equivalence; a name spelled with other code points gets its own analysis.
        if let known, known.name.utf8.elementsEqual(name.utf8) { return known }
        // Analysed outside the lock: two workers may both analyse a new name, and get the same answer.
        let analysed = ScreeningName(name)
        lock.lock()
        if names.count < capacity { names[name] = analysed }
        lock.unlock()
        return analysed
    }
}
