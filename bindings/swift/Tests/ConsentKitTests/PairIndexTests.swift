import Foundation
import XCTest
@testable import ConsentKit

/// The (purpose, data type) → cell index of the hot path: every pair found, nothing else.
final class PairIndexTests: XCTestCase {
    func testEveryPairIsFoundAndOthersMiss() {
        let purposes = ["a", "ab", "abc", "live_location", "purpose_with_a_rather_long_identifier", "位置", ""]
        let types = ["c", "bc", "location", "trajectory", "device_id_that_is_longer_than_sixteen", "é"]
        let index = PairIndex(purposes: purposes, dataTypes: types)
        for (p, purpose) in purposes.enumerated() {
            for (d, dataType) in types.enumerated() {
                XCTAssertEqual(index.cell(purpose, dataType), p * types.count + d, "\(purpose)/\(dataType)")
                // A bridged or rebuilt string with the same contents is found too.
                let rebuilt = String(decoding: Array(purpose.utf8), as: UTF8.self)
                XCTAssertEqual(index.cell(rebuilt, NSString(string: dataType) as String), p * types.count + d)
            }
        }
        // Splitting the same bytes differently is another pair.
        XCTAssertEqual(index.cell("ab", "c"), 1 * types.count + 0)
        XCTAssertEqual(index.cell("a", "bc"), 0 * types.count + 1)
        XCTAssertNil(index.cell("abc", "abc"))
        XCTAssertNil(index.cell("x", "c"))
        XCTAssertNil(index.cell("a", "location "))
        XCTAssertNil(index.cell("", ""))
    }

    func testLargeManifestShape() {
        let purposes = (0..<60).map { "purpose_\($0)" }
        let types = (0..<120).map { "data_type_\($0)" }
        let index = PairIndex(purposes: purposes, dataTypes: types)
        for (p, purpose) in purposes.enumerated() {
            for (d, dataType) in types.enumerated() {
                XCTAssertEqual(index.cell(purpose, dataType), p * types.count + d)
            }
        }
        XCTAssertNil(index.cell("purpose_60", "data_type_0"))
    }

    func testEmptyManifestShape() {
        let index = PairIndex(purposes: [], dataTypes: [])
        XCTAssertNil(index.cell("a", "b"))
    }
}
