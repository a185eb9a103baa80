import Foundation
internal import ConsentKitGenerated

/// The ids behind the core's handles (fixed for an open instance: handle `i` of a kind is `ids[i]`) and the
/// reverse maps the facade looks ids up in. Built once at open from the core's `handles()`. A class, so the hot path
/// reads one field without copying (and retaining) the whole set of maps.
final class HandleMaps: Sendable {
    let purposes: [String]
    let dataTypes: [String]
    let features: [String]
    /// Tier ids per feature, richest first.
    let tiers: [[String]]
    let thirdParties: [String]

    let purposeHandles: [String: Int]
    let dataTypeHandles: [String: Int]
    let featureHandles: [String: Int]
    let thirdPartyHandles: [String: Int]
    /// (purpose, data type) → cell of the decision table (`purpose * width + dataType`).
    let cells: PairIndex

    /// Number of data types: the row width of the decision table.
    let width: Int

    init(_ table: ConsentKitGenerated.HandleTable) {
        purposes = table.purposes
        dataTypes = table.dataTypes
        features = table.features
        tiers = table.tiers
        thirdParties = table.thirdParties
        width = table.dataTypes.count
        purposeHandles = Self.index(table.purposes)
        dataTypeHandles = Self.index(table.dataTypes)
        featureHandles = Self.index(table.features)
        thirdPartyHandles = Self.index(table.thirdParties)
        cells = PairIndex(purposes: table.purposes, dataTypes: table.dataTypes)
    }

    private static func index(_ ids: [String]) -> [String: Int] {
        Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The decision-table cell of a (purpose, data type) pair; throws ``ConsentKitError/unknownId(kind:id:)``
    /// naming the purpose first, like the core.
    @inline(__always)
    func cell(_ purpose: String, _ dataType: String) throws -> Int {
        if let cell = cells.cell(purpose, dataType) {
            return cell
        }
        return try purposeHandle(purpose) * width + dataTypeHandle(dataType)
    }

    func purposeHandle(_ id: String) throws -> Int {
        guard let h = purposeHandles[id] else { throw ConsentKitError.unknownId(kind: .purpose, id: id) }
        return h
    }

    func dataTypeHandle(_ id: String) throws -> Int {
        guard let h = dataTypeHandles[id] else { throw ConsentKitError.unknownId(kind: .dataType, id: id) }
        return h
    }

    func featureHandle(_ id: String) throws -> Int {
        guard let h = featureHandles[id] else { throw ConsentKitError.unknownId(kind: .feature, id: id) }
        return h
    }

    func thirdPartyHandle(_ id: String) throws -> Int {
        guard let h = thirdPartyHandles[id] else { throw ConsentKitError.unknownId(kind: .thirdParty, id: id) }
        return h
    }
}
