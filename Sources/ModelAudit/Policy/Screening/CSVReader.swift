/// A CSV parser for untrusted input: RFC 4180 with a header row, strict UTF-8 and hard limits.
///
/// Accepted:
/// - fields separated by `,`; records ended by CRLF or LF (the last record may lack one);
/// - quoted fields (`"…"`) holding commas, CR, LF and `""` for a literal quote;
/// - an optional UTF-8 byte-order mark at the very start, which is dropped;
/// - blank lines between records, which are skipped.
///
/// Rejected, with the 1-based line number where the problem is:
/// - bytes that are not well-formed UTF-8 (overlong forms, surrogates, truncated sequences);
/// - a quote that is never closed, a quote inside an unquoted field, text after a closing quote;
/// - a carriage return outside quotes that is not part of CRLF (parsers disagree on it, so a row could
///   be read differently by another tool);
/// - a row whose field count differs from the header's (a misaligned row would put a value in the
///   wrong column, e.g. an alias into `country`);
/// - more bytes, rows or bytes per field than the `Limits` allow.
public enum CSVReader {
    /// Ceilings that keep a hostile file from exhausting memory.
    public struct Limits: Sendable, Equatable {
        /// The largest input accepted, in bytes; the caller sets it from what it is willing to read.
        public var maxBytes: Int
        /// The most data rows accepted, not counting the header.
        public var maxRows: Int
        /// The largest single field accepted, in bytes after unquoting.
        public var maxFieldBytes: Int

        public init(maxBytes: Int, maxRows: Int = 1_000_000, maxFieldBytes: Int = 64 * 1024) {
            self.maxBytes = maxBytes
            self.maxRows = maxRows
            self.maxFieldBytes = maxFieldBytes
        }
    }

    /// Parses `bytes` into a header and records.
    public static func parse(_ bytes: [UInt8], limits: Limits) throws(CSVError) -> CSVTable {
        guard bytes.count <= limits.maxBytes else {
            throw CSVError(line: nil, message: "input is larger than the \(limits.maxBytes)-byte limit")
        }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: bom) ? bom.count : 0
        if let offset = firstInvalidUTF8(bytes, from: start) {
            throw CSVError(line: lineNumber(of: offset, in: bytes), message: "invalid UTF-8 at byte offset \(offset)")
        }
        var parser = Parser(position: start, limits: limits)
        return try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
            try parser.run(buffer)
        }
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        let end = bytes.count
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // Ranges from the Unicode Standard, table 3-7 (well-formed UTF-8 byte sequences).
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondRange = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondRange = 0x80...0x9F
            case 0xF0: length = 4; secondRange = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondRange = 0x80...0x8F
            default: return index
            }
            guard index + length <= end, secondRange.contains(bytes[index + 1]) else { return index }
            for continuation in (index + 2)..<(index + length) where !(0x80...0xBF).contains(bytes[continuation]) {
                return index
            }
            index += length
        }
        return nil
    }

    private static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        for byte in bytes[..<offset] where byte == UInt8(ascii: "\n") {
            line += 1
        }
        return line
    }

    /// The state of one pass over the input.
    private struct Parser {
        var position: Int
        let limits: Limits
        var line = 1
        var field: [UInt8] = []
        var record: [String] = []
        var header: [String]?
        var records: [CSVRecord] = []

        init(position: Int, limits: Limits) {
            self.position = position
            self.limits = limits
        }

        private static let quote = UInt8(ascii: "\"")
        private static let comma = UInt8(ascii: ",")
        private static let cr = UInt8(ascii: "\r")
        private static let lf = UInt8(ascii: "\n")

        mutating func run(_ input: UnsafeBufferPointer<UInt8>) throws(CSVError) -> CSVTable {
            let end = input.count
            while position < end {
                let recordLine = line
                // A blank line is not a record.
                if input[position] == Self.lf {
                    position += 1
                    line += 1
                    continue
                }
                if input[position] == Self.cr, position + 1 < end, input[position + 1] == Self.lf {
                    position += 2
                    line += 1
                    continue
                }
                try readRecord(input, end: end)
                try finishRecord(line: recordLine)
            }
            guard let header else {
                throw CSVError(line: nil, message: "no header row")
            }
            return CSVTable(header: header, records: records)
        }

        /// Reads fields up to and including the record's line ending (or the end of input).
        private mutating func readRecord(_ input: UnsafeBufferPointer<UInt8>, end: Int) throws(CSVError) {
            record.removeAll(keepingCapacity: true)
            while true {
                field.removeAll(keepingCapacity: true)
                if position < end, input[position] == Self.quote {
                    try readQuotedField(input, end: end)
                } else {
                    try readUnquotedField(input, end: end)
                }
                record.append(String(decoding: field, as: UTF8.self))
                if position >= end { return }
                let terminator = input[position]
                if terminator == Self.comma {
                    position += 1
                    if position >= end {
                        // "a,b," then end of input: the trailing empty field still counts.
                        record.append("")
                        return
                    }
                    continue
                }
                if terminator == Self.lf {
                    position += 1
                    line += 1
                    return
                }
                // The field readers stop only at a comma, LF, CRLF or the end, so this is CRLF.
                position += 2
                line += 1
                return
            }
        }

        private mutating func readUnquotedField(_ input: UnsafeBufferPointer<UInt8>, end: Int) throws(CSVError) {
            let fieldStart = position
            while position < end {
                let byte = input[position]
                if byte == Self.comma || byte == Self.lf { break }
                if byte == Self.cr {
                    if position + 1 < end, input[position + 1] == Self.lf { break }
                    throw CSVError(line: line, message: "carriage return outside quotes that is not part of CRLF")
                }
                if byte == Self.quote {
                    throw CSVError(line: line, message: "stray quote in an unquoted field (quote the whole field)")
                }
                position += 1
            }
            let count = position - fieldStart
            guard count <= limits.maxFieldBytes else { throw fieldTooLarge() }
            field.append(contentsOf: UnsafeBufferPointer(rebasing: input[fieldStart..<position]))
        }

        private mutating func readQuotedField(_ input: UnsafeBufferPointer<UInt8>, end: Int) throws(CSVError) {
            let openingLine = line
            position += 1
            while true {
                guard position < end else {
                    throw CSVError(line: openingLine, message: "unterminated quoted field (opened on this line)")
                }
                let byte = input[position]
                if byte == Self.quote {
                    if position + 1 < end, input[position + 1] == Self.quote {
                        try appendToField(Self.quote)
                        position += 2
                        continue
                    }
                    position += 1
                    break
                }
                if byte == Self.lf { line += 1 }
                try appendToField(byte)
                position += 1
            }
            // After the closing quote only a separator, a line ending or the end of input may follow.
            guard position < end else { return }
            let next = input[position]
            if next == Self.comma || next == Self.lf { return }
            if next == Self.cr, position + 1 < end, input[position + 1] == Self.lf { return }
            throw CSVError(line: line, message: "unexpected character after a closing quote")
        }

        private mutating func appendToField(_ byte: UInt8) throws(CSVError) {
            guard field.count < limits.maxFieldBytes else { throw fieldTooLarge() }
            field.append(byte)
        }

        private func fieldTooLarge() -> CSVError {
            CSVError(line: line, message: "field larger than the \(limits.maxFieldBytes)-byte limit")
        }

        private mutating func finishRecord(line recordLine: Int) throws(CSVError) {
            guard let header else {
                header = record
                return
            }
            guard record.count == header.count else {
                let relation = record.count > header.count ? "more" : "fewer"
                throw CSVError(
                    line: recordLine,
                    message: "row has \(relation) fields (\(record.count)) than the header (\(header.count))"
                )
            }
            guard records.count < limits.maxRows else {
                throw CSVError(line: recordLine, message: "more than \(limits.maxRows) rows")
            }
            records.append(CSVRecord(fields: record, line: recordLine))
        }
    }
}

/// A parsed CSV file: the header row and every data row after it.
public struct CSVTable: Sendable, Equatable {
    /// The header's field values, as written.
    public let header: [String]
    /// The data rows, in file order; each has exactly `header.count` fields.
    public let records: [CSVRecord]
}

/// One data row of a CSV file.
public struct CSVRecord: Sendable, Equatable {
    public let fields: [String]
    /// The 1-based line the row starts on (a quoted field may carry it over several lines).
    public let line: Int
}

/// Why a CSV file was rejected, and on which line.
public struct CSVError: AuditError, Equatable {
    public var code: AuditErrorCode { .malformedInput }

    /// The 1-based line of the problem, or nil when it concerns the whole input.
    public let line: Int?
    public let message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}
