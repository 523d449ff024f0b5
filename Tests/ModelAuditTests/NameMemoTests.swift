import Foundation
import Testing

@testable import ModelAudit

/// Answers gathered from many threads, one slot each, read once they are all done.
private final class Answers<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Value? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }
}

/// Counts calls from many threads.
private final class Counter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

@Suite("Name memo")
struct NameMemoTests {
    /// A memo's answer must be the function's, whichever thread asks and in whatever order.
    @Test("answers from many threads at once are the function's, for names that differ only in spelling too")
    func answersFromManyThreads() {
        let calls = Counter()
        let memo = NameMemo<String> { name in
            calls.increment()
            return Self.scalarCodes(name)
        }
        // "é" precomposed and decomposed are equal Swift strings but different names: each keeps its own answer.
        let names = (0..<40).map { "name \($0)" } + ["\u{E9}cole", "e\u{301}cole"]
        let rounds = 16 * names.count
        let answers = Answers<String>(count: rounds)
        DispatchQueue.concurrentPerform(iterations: rounds) { round in
            answers[round] = memo(names[round % names.count])
        }
        for round in 0..<rounds {
            let name = names[round % names.count]
            #expect(answers[round] == Self.scalarCodes(name), "round \(round), \(name)")
        }
        // Every name was computed (how often depends on how the threads raced to it; `fullMemo` checks remembering).
        #expect(calls.value >= names.count)
    }

    /// The function remembered: a name's scalars in hexadecimal, which tells apart spellings Swift calls equal.
    private static func scalarCodes(_ name: String) -> String {
        name.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: ".")
    }

    @Test("a full memo still answers, by computing")
    func fullMemo() {
        let calls = Counter()
        let memo = NameMemo<Int>(capacity: 1) { name in
            calls.increment()
            return name.utf8.count
        }
        for round in 0..<3 {
            for name in ["a", "bb", "ccc"] { #expect(memo(name) == name.utf8.count, "round \(round)") }
        }
        // One name fits; the other two are computed on every call.
        #expect(calls.value == 1 + 2 * 3)
    }
}
