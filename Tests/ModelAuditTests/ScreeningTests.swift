import AuditCrypto
import Foundation
import Testing

@testable import ModelAudit

/// The committed fixtures in `<root>/Tests/Fixtures/screening`.
private enum ScreeningFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/screening", isDirectory: true)

    static var sampleCSL: String { directory.appendingPathComponent("sample-csl.csv").path }
}

private func csv(_ text: String, limits: CSVReader.Limits = CSVReader.Limits(maxBytes: 1 << 20)) throws -> CSVTable {
    try CSVReader.parse(Array(text.utf8), limits: limits)
}

private func csvError(_ bytes: [UInt8], limits: CSVReader.Limits = CSVReader.Limits(maxBytes: 1 << 20)) -> CSVError? {
    do {
        _ = try CSVReader.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func csvError(_ text: String, limits: CSVReader.Limits = CSVReader.Limits(maxBytes: 1 << 20)) -> CSVError? {
    csvError(Array(text.utf8), limits: limits)
}

@Suite("Screening: CSV reader")
struct ScreeningCSVTests {
    @Test func plainRowsWithHeader() throws {
        let table = try csv("a,b,c\n1,2,3\nx,,z\n")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.records.map(\.fields) == [["1", "2", "3"], ["x", "", "z"]])
        #expect(table.records.map(\.line) == [2, 3])
    }

    @Test func quotedFieldsWithCommasAndEscapedQuotes() throws {
        let table = try csv("name,note\n\"Acme, Inc.\",\"she said \"\"hi\"\"\"\n\"\",\"\"\"\"\n")
        #expect(table.records.map(\.fields) == [["Acme, Inc.", "she said \"hi\""], ["", "\""]])
    }

    @Test func embeddedNewlineKeepsLineNumbersRight() throws {
        let table = try csv("a,b\n\"line one\nline two\r\nline three\",x\nnext,row\n")
        #expect(table.records[0].fields == ["line one\nline two\r\nline three", "x"])
        #expect(table.records.map(\.line) == [2, 5])
    }

    @Test func crlfLineEndings() throws {
        let table = try csv("a,b\r\n1,2\r\n\"3\",\"4\"\r\n")
        #expect(table.header == ["a", "b"])
        #expect(table.records.map(\.fields) == [["1", "2"], ["3", "4"]])
    }

    @Test func byteOrderMarkIsDropped() throws {
        let table = try CSVReader.parse([0xEF, 0xBB, 0xBF] + Array("name,x\nv,w".utf8), limits: .init(maxBytes: 100))
        #expect(table.header == ["name", "x"])
        #expect(table.records.map(\.fields) == [["v", "w"]])
    }

    @Test func lastRecordWithoutNewlineAndTrailingEmptyField() throws {
        let table = try csv("a,b\n1,")
        #expect(table.records.map(\.fields) == [["1", ""]])
    }

    @Test func blankLinesAreSkipped() throws {
        let table = try csv("a,b\n\n1,2\r\n\r\n3,4\n\n")
        #expect(table.records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(table.records.map(\.line) == [3, 5])
    }

    @Test func multiByteUTF8IsKept() throws {
        let table = try csv("name\nSociété 中国 🚀\n")
        #expect(table.records[0].fields == ["Société 中国 🚀"])
    }

    @Test(arguments: [
        ([0xC3, 0x28] as [UInt8], "truncated two-byte sequence"),
        ([0xC0, 0xAF], "overlong slash"),
        ([0xE0, 0x80, 0xAF], "overlong three-byte"),
        ([0xED, 0xA0, 0x80], "UTF-16 surrogate"),
        ([0xF4, 0x90, 0x80, 0x80], "above U+10FFFF"),
        ([0xFF], "never valid"),
        ([0xE4, 0xB8], "sequence cut by the end of input"),
    ])
    func invalidUTF8IsRejectedWithItsLine(bad: [UInt8], why: String) {
        let bytes = Array("name,x\nok,ok\n\"fine\",".utf8) + bad + Array("\n".utf8)
        let error = csvError(bytes)
        #expect(error?.line == 3, "\(why)")
        #expect(error?.message.contains("UTF-8") == true, "\(why)")
    }

    @Test func unterminatedQuoteReportsTheLineItOpened() {
        let error = csvError("a,b\n1,2\n3,\"never closed\nmore\nmore\n")
        #expect(error?.line == 3)
        #expect(error?.message.contains("unterminated") == true)
    }

    @Test func strayQuoteInUnquotedField() {
        let error = csvError("a,b\n1,2\n3,ab\"c\n")
        #expect(error?.line == 3)
        #expect(error?.message.contains("stray quote") == true)
    }

    @Test func textAfterClosingQuote() {
        let error = csvError("a,b\n\"x\"y,2\n")
        #expect(error?.line == 2)
    }

    @Test func rowWithMoreFieldsThanHeader() {
        let error = csvError("a,b\n1,2\n1,2,3\n")
        #expect(error?.line == 3)
        #expect(error?.message.contains("more fields") == true)
    }

    @Test func rowWithFewerFieldsThanHeader() {
        let error = csvError("a,b,c\n1,2\n")
        #expect(error?.line == 2)
        #expect(error?.message.contains("fewer fields") == true)
    }

    @Test func bareCarriageReturnOutsideQuotes() {
        #expect(csvError("a,b\n1,2\r3,4\n")?.line == 2)
    }

    @Test func emptyInputHasNoHeader() {
        #expect(csvError("")?.message == "no header row")
        #expect(csvError([0xEF, 0xBB, 0xBF])?.message == "no header row")
    }

    @Test func limits() {
        #expect(csvError("a\n1\n", limits: .init(maxBytes: 3)) != nil)
        #expect(csvError("a\n1\n2\n3\n", limits: .init(maxBytes: 100, maxRows: 2))?.line == 4)
        let longField = String(repeating: "x", count: 17)
        #expect(csvError("a\n\(longField)\n", limits: .init(maxBytes: 100, maxFieldBytes: 16))?.line == 2)
        #expect(csvError("a\n\"\(longField)\"\n", limits: .init(maxBytes: 100, maxFieldBytes: 16))?.line == 2)
        #expect(csvError("a\n\(longField.dropLast())\n", limits: .init(maxBytes: 100, maxFieldBytes: 16)) == nil)
    }
}

@Suite("Screening: entity-name normalisation")
struct ScreeningNameTests {
    @Test(arguments: [
        ("Acme Co., Ltd.", "acme"),
        ("Société Générale", "societe generale"),
        ("Zhōngguó Tōngxìn", "zhongguo tongxin"),
        ("Foo Holdings Co., Ltd.", "foo holdings"),
        ("Smith & Wesson Group", "smith and wesson group"),
        ("Müller-Lüdenscheidt GmbH", "muller ludenscheidt"),
        ("Straße AG", "strasse"),
        ("Ørsted A/S", "orsted"),
        ("Łódź Widgets S.A.", "lodz widgets"),
        ("ＦＵＬＬ Width Ｌｔｄ", "full width"),
        ("Acme™ Robotics®", "acme robotics"),
        ("  Acme\t\n  Robotics  ", "acme robotics"),
        ("O'Neil (Trading) Pte. Ltd.", "o neil trading"),
        ("I.B.M. Corp.", "ibm"),
        ("Acme L.L.C.", "acme"),
        ("Acme Private Limited", "acme"),
        ("Acme Private", "acme private"),
        ("Bank Sepah PJSC", "bank sepah"),
        ("Kabushiki Kaisha Acme", "kabushiki kaisha acme"),
        ("ΣΊΣΥΦΟΣ", "σισυφοσ"),
        ("İSTANBUL ﬁnance", "istanbul finance"),
        ("Acme ＆ Sons", "acme and sons"),
        ("Inc.", ""),
        ("Co., Ltd.", ""),
        ("...", ""),
    ])
    func normalisedForm(input: String, expected: String) {
        let normalized = EntityName.normalize(input)
        #expect(normalized.value == expected)
        #expect(normalized.tokens == (expected.isEmpty ? [] : expected.split(separator: " ").map(String.init)))
    }

    @Test(arguments: [
        ["Acme Co., Ltd.", "ACME COMPANY LIMITED", "Acme Co Ltd", "acme, co. ltd", "Acme Co.,Ltd", "ACME CO. LTD."],
        ["Zhōngguó Tōngxìn", "ZHONGGUO TONGXIN", "zhongguo tongxin co ltd"],
        ["Société Générale", "SOCIETE GENERALE", "Societe Generale S.A.", "société générale sa"],
        ["Smith & Jones", "Smith and Jones", "SMITH AND JONES LLC"],
        ["Acme Holdings Inc.", "ACME HOLDINGS INCORPORATED", "Acme Holdings, Inc"],
        ["Nordlicht AB", "Nordlicht A.B.", "NORDLICHT"],
        ["Vostok OOO", "Vostok, O.O.O.", "Vostok ZAO"],
        ["ΣΊΣΥΦΟΣ", "σίσυφος"],
        ["Größe Werke", "GROSSE WERKE", "Grosse Werke"],
        ["Dansk Æble Ø", "DANSK AEBLE O"],
    ])
    func mustMatch(group: [String]) {
        let forms = Set(group.map { EntityName.normalize($0) })
        #expect(forms.count == 1, "\(group) normalised to \(forms)")
    }

    @Test(arguments: [
        ("Acme", "Acme Robotics"),
        ("Acme Co.", "Acmee Co."),
        ("China Telecom", "China Telecommunications Research"),
        ("Acme Holdings", "Acme"),
        ("Acme Group", "Acme"),
        ("Smith & Co.", "Smith"),
        ("Acme 1", "Acme 2"),
    ])
    func mustNotMatch(lhs: String, rhs: String) {
        #expect(EntityName.normalize(lhs) != EntityName.normalize(rhs))
    }

    @Test func emptyNamesNeverMatch() throws {
        let bytes = Array(
            """
            source,name,alt_names,country,addresses,federal_register_notice,start_date
            S,Inc.,Limited; Acme Widgets,,,,
            """.utf8
        )
        let list = try ScreeningList.parse(id: "t", path: "t.csv", bytes: bytes)
        #expect(list.matches(for: "Co., Ltd.").isEmpty)
        #expect(list.matches(for: "").isEmpty)
        #expect(list.matches(for: "Acme Widgets Ltd").count == 1)
    }
}

@Suite("Screening: lists and matching")
struct ScreeningListTests {
    @Test func loadsTheSampleList() throws {
        let path = ScreeningFixtures.sampleCSL
        let list = try ScreeningList.load(id: "csl", path: path)
        #expect(list.id == "csl")
        #expect(list.path == path)
        #expect(list.entries.count == 8)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(list.sha256 == (try Digests.sha256Hex(bytes)))
        #expect(list.sha256.count == 64)

        let glimmerfold = try #require(list.entries.first { $0.name.hasPrefix("Glimmerfold") })
        #expect(glimmerfold.altNames == ["GRA Analytics", "Glimmerfold Ridge", "Ridge Analytic Services",
                                         "Glimmerfold Data Labs"])
        #expect(glimmerfold.line == 4)
        #expect(glimmerfold.country == "US")
        #expect(glimmerfold.federalRegisterNotice == "00 FR 00003")
        #expect(glimmerfold.startDate == "2019-07-30")

        let tarnholm = try #require(list.entries.first { $0.name.hasPrefix("Tarnholm") })
        #expect(tarnholm.addresses == "Musterstraße 1\nPostfach \"Nord\"\nBeispielstadt")
        #expect(tarnholm.line == 6)
        #expect(list.entries.last?.line == 11)

        let kestrelvane = try #require(list.entries.first { $0.name.hasPrefix("Kestrelvane") })
        #expect(kestrelvane.altNames.isEmpty)
        #expect(kestrelvane.country == nil && kestrelvane.addresses == nil && kestrelvane.startDate == nil)
    }

    @Test func matchOnNameNamesListEntryAndSource() throws {
        let list = try ScreeningList.load(id: "us-csl", path: ScreeningFixtures.sampleCSL)
        let matches = list.matches(for: "QUILLMOOR DYNAMICS COMPANY LIMITED")
        #expect(matches.count == 1)
        let match = try #require(matches.first)
        #expect(match.listID == "us-csl")
        #expect(match.queriedName == "QUILLMOOR DYNAMICS COMPANY LIMITED")
        // The name and its alias normalise alike; the entry is reported once, under its name.
        #expect(match.matchedName == "Quillmoor Dynamics Co., Ltd.")
        #expect(match.entry.source == "Entity List (EL) - Bureau of Industry and Security")
        #expect(match.entry.line == 2)
    }

    @Test(arguments: [
        ("Ridge Analytic Services, Inc.", "Ridge Analytic Services", "Glimmerfold Ridge Analytics LLC"),
        ("glimmerfold data labs", "Glimmerfold Data Labs", "Glimmerfold Ridge Analytics LLC"),
        ("Glimmerfold Ridge Analytics", "Glimmerfold Ridge Analytics LLC", "Glimmerfold Ridge Analytics LLC"),
        ("Societe Vernelle d'Optique", "Société Vernelle d'Optique", "Société Vernelle d'Optique"),
        ("ZHONGXIN LANFENG KEJI", "Zhōngxīn Lánfēng Kējì", "Zhōngxīn Lánfēng Kējì"),
        ("Zhongxin Lanfeng Technology", "Zhongxin Lanfeng Technology Co. Ltd.", "Zhōngxīn Lánfēng Kējì"),
        ("Orvexia Quantel Holdings Limited", "Orvexia Quantel Holdings Co., Ltd.",
         "Orvexia Quantel Holdings Co., Ltd."),
        ("Peregrine and Thornwick Research", "Peregrine & Thornwick Research", "Peregrine & Thornwick Research"),
        ("P & T Research", "P&T Research", "Peregrine & Thornwick Research"),
    ])
    func matchOnNameOrAlias(query: String, matchedName: String, entryName: String) throws {
        let list = try ScreeningList.load(id: "csl", path: ScreeningFixtures.sampleCSL)
        let matches = list.matches(for: query)
        #expect(matches.map(\.matchedName) == [matchedName])
        #expect(matches.map(\.entry.name) == [entryName])
    }

    @Test(arguments: ["Orvexia Quantel", "Glimmerfold", "Quillmoor Dynamic", "Tarnholm", "Peregrine Research", "Inc."])
    func noMatch(query: String) throws {
        let list = try ScreeningList.load(id: "csl", path: ScreeningFixtures.sampleCSL)
        #expect(list.matches(for: query).isEmpty)
    }

    @Test func everyMatchingEntryIsReturnedInListOrder() throws {
        let bytes = Array(
            """
            Name,SOURCE,Alt_Names,Country,Addresses,Federal_Register_Notice,Start_Date,extra
            Nimbrel Corp,List A,,,,,,ignored
            Other Co,List B,Nimbrel Corporation;Nimbrel,,,,,ignored
            Unrelated Ltd,List C,,,,,,ignored
            """.utf8
        )
        let list = try ScreeningList.parse(id: "mixed", path: "mixed.csv", bytes: bytes)
        let matches = list.matches(for: "Nimbrel Inc")
        #expect(matches.map(\.entry.source) == ["List A", "List B"])
        #expect(matches.map(\.matchedName) == ["Nimbrel Corp", "Nimbrel Corporation"])
        #expect(matches.allSatisfy { $0.listID == "mixed" })
    }

    @Test func missingAltNamesColumnIsNamed() {
        let bytes = Array("source,name,country,addresses,federal_register_notice,start_date\nS,N,,,,\n".utf8)
        #expect {
            try ScreeningList.parse(id: "x", path: "lists/x.csv", bytes: bytes)
        } throws: { error in
            let error = error as? ScreeningListError
            return error?.path == "lists/x.csv" && error?.line == 1
                && error?.message == "missing required column \"alt_names\""
        }
    }

    @Test func everyMissingColumnIsNamed() {
        let bytes = Array("name,alt_names\nN,\n".utf8)
        #expect {
            try ScreeningList.parse(id: "x", path: "x.csv", bytes: bytes)
        } throws: { error in
            let message = (error as? ScreeningListError)?.message ?? ""
            return message.contains("\"source\"") && message.contains("\"country\"")
                && message.contains("\"start_date\"") && !message.contains("\"name\"")
        }
    }

    @Test func duplicateRequiredColumnIsRejected() {
        let bytes = Array("source,name,alt_names,country,addresses,federal_register_notice,start_date,NAME\n".utf8)
        #expect(throws: ScreeningListError.self) { try ScreeningList.parse(id: "x", path: "x.csv", bytes: bytes) }
    }

    @Test func emptyNameIsAnErrorWithItsLine() {
        let bytes = Array(
            "source,name,alt_names,country,addresses,federal_register_notice,start_date\nS,Ok,,,,,\nS,  ,,,,,\n".utf8
        )
        #expect {
            try ScreeningList.parse(id: "x", path: "x.csv", bytes: bytes)
        } throws: { error in
            let error = error as? ScreeningListError
            return error?.line == 3 && error?.message == "empty name" && error?.description == "x.csv:3: empty name"
        }
    }

    @Test func csvErrorsCarryPathAndLine() {
        let header = "source,name,alt_names,country,addresses,federal_register_notice,start_date\n"
        let bytes = Array((header + "S,\"Open,,,,,\n").utf8)
        #expect {
            try ScreeningList.parse(id: "x", path: "x.csv", bytes: bytes)
        } throws: { error in
            let error = error as? ScreeningListError
            return error?.path == "x.csv" && error?.line == 2 && error?.message.contains("unterminated") == true
        }
    }

    @Test func fileLargerThanTheLimitIsRefused() {
        #expect(throws: ScreeningListError.self) {
            try ScreeningList.load(id: "csl", path: ScreeningFixtures.sampleCSL, maxBytes: 100)
        }
        let missing = ScreeningFixtures.directory.path + "/does-not-exist.csv"
        #expect {
            try ScreeningList.load(id: "csl", path: missing)
        } throws: { error in
            (error as? ScreeningListError)?.description == "\(missing): cannot read screening list: no such file"
        }
    }

    @Test func performanceSanity() throws {
        let rows = 50_000
        var text = "_id,source,entity_number,type,name,alt_names,country,addresses,federal_register_notice,"
        text += "start_date\n"
        text.reserveCapacity(rows * 160)
        for row in 0..<rows {
            text += "id-\(row),Synthetic List,,Entity,\"Synthetic Entity \(row) Trading Co., Ltd.\","
            text += "SE\(row) Labs; Synthétique \(row) Société,XX,"
            text += "\"\(row) Example Road, Town\",00 FR \(row),2024-01-01\n"
        }
        let bytes = Array(text.utf8)
        let clock = ContinuousClock()
        var list: ScreeningList?
        let loadTime = try clock.measure {
            list = try ScreeningList.parse(id: "synthetic", path: "memory", bytes: bytes)
        }
        let loaded = try #require(list)
        #expect(loaded.entries.count == rows)

        let queries = 10_000
        var hits = 0
        let queryTime = clock.measure {
            for query in 0..<queries {
                let name = query.isMultiple(of: 2)
                    ? "SYNTHETIC ENTITY \(query * 5) TRADING COMPANY LIMITED"
                    : "Synthetic Entity \(query * 5) Tradings"
                hits += loaded.matches(for: name).count
            }
        }
        #expect(hits == queries / 2)
        print("screening performance: parsed and indexed \(rows) rows (\(bytes.count) bytes) in \(loadTime); "
            + "\(queries) queries in \(queryTime)")
    }
}

