import Foundation
internal import ConsentKitAtomics
internal import ConsentKitGenerated

/// The read-only mirror of the core's current decisions (DESIGN §6): `decide` and `resolve` read it without
/// crossing the FFI boundary. Every entry comes from a `DecisionTable` computed by the core; nothing is derived here.
///
/// Decisions live in a fixed array of atomic bytes (its shape is fixed for an open instance), so `decide` is one
/// dictionary lookup plus one relaxed byte load: no lock, no reference counting. A table is published under a lock
/// and only if it is not older than the one in place (versions increase with every change; a table of the same
/// version computed later carries fresher time-based fields, e.g. a cooldown that ended).
///
/// `close()` writes the core's "closed" code into every cell, so a closed instance answers `.closed` for free.
final class DecisionMirror: @unchecked Sendable {
    /// One feature's resolution, from the table.
    struct FeatureEntry: Sendable {
        let tierIndex: Int?
        let missing: [Int]
        let canAsk: Bool
    }

    let handles: HandleMaps
    let cellCount: Int

    // Written only under `lock`, read lock-free with ck_load_u8 (bytes: `cellCount` each).
    private let codes: UnsafeMutableRawPointer
    private let limited: UnsafeMutableRawPointer

    // Guarded by `lock`.
    private let lock = NSLock()
    private var version: UInt64 = 0
    private var features: [FeatureEntry] = []
    private var nextChangeMs: Int64?
    private var isClosed = false

    /// Builds the mirror from the first table; throws if this Swift layer cannot read the core's table.
    init(handles: HandleMaps, table: ConsentKitGenerated.DecisionTable) throws {
        self.handles = handles
        cellCount = handles.purposes.count * handles.width
        codes = .allocate(byteCount: max(cellCount, 1), alignment: 1)
        limited = .allocate(byteCount: max(cellCount, 1), alignment: 1)
        codes.initializeMemory(as: UInt8.self, repeating: CoreCode.closed, count: max(cellCount, 1))
        limited.initializeMemory(as: UInt8.self, repeating: 0, count: max(cellCount, 1))
        if let problem = check(table) {
            throw ConsentKitError.unexpected(detail: "cannot read the core's decision table: \(problem)")
        }
        publish(table)
    }

    deinit {
        codes.deallocate()
        limited.deallocate()
    }

    // MARK: Hot path (lock-free)

    /// The decision code of a cell (see the core's `decide_code`).
    @inline(__always)
    func code(_ cell: Int) -> UInt8 {
        ck_load_u8(codes, cell)
    }

    /// Whether a frequency limit applies to the cell, so only the core can answer `collect`.
    @inline(__always)
    func isLimited(_ cell: Int) -> Bool {
        ck_load_u8(limited, cell) != 0
    }

    // MARK: Publishing

    /// Takes `table` if it is readable and not older than the current one. Returns whether it did.
    @discardableResult
    func publish(_ table: ConsentKitGenerated.DecisionTable) -> Bool {
        if let problem = check(table) {
            assertionFailure("ConsentKit: ignoring an unreadable decision table: \(problem)")
            return false
        }
        return lock.locked {
            guard !isClosed, table.version >= version else { return false }
            let newCodes = [UInt8](table.codes)
            let newLimited = [UInt8](table.limited)
            for i in 0..<cellCount {
                if ck_load_u8(codes, i) != newCodes[i] { ck_store_u8(codes, i, newCodes[i]) }
                ck_store_u8(limited, i, newLimited[i] == 0 ? 0 : 1)
            }
            features = (0..<table.featureTier.count).map { f in
                FeatureEntry(
                    tierIndex: table.featureTier[f] < 0 ? nil : Int(table.featureTier[f]),
                    missing: table.featureMissing[f].map(Int.init),
                    canAsk: table.featureCanAsk[f]
                )
            }
            version = table.version
            nextChangeMs = table.nextChangeMs
            return true
        }
    }

    /// Why this layer cannot read `table`, or `nil` when it can (format 1, the shape of this instance's handles).
    private func check(_ table: ConsentKitGenerated.DecisionTable) -> String? {
        let featureCount = handles.features.count
        guard table.format == 1 else { return "format \(table.format) (this Swift layer reads format 1)" }
        guard Int(table.width) == handles.width, table.codes.count == cellCount, table.limited.count == cellCount
        else { return "decision cells do not match the handle table" }
        guard table.featureTier.count == featureCount, table.featureMissing.count == featureCount,
              table.featureCanAsk.count == featureCount
        else { return "features do not match the handle table" }
        for f in 0..<featureCount {
            let tier = Int(table.featureTier[f])
            guard tier < handles.tiers[f].count else { return "tier \(tier) out of range for feature \(f)" }
            guard table.featureMissing[f].allSatisfy({ Int($0) < handles.purposes.count })
            else { return "missing purpose out of range for feature \(f)" }
        }
        return nil
    }

    // MARK: Reading features

    /// A feature's entry and when the table's time-based answers next change.
    func feature(_ f: Int) -> (entry: FeatureEntry, nextChangeMs: Int64?) {
        lock.locked { (features[f], nextChangeMs) }
    }

    /// The table's version and when its time-based answers next change.
    var currentVersion: (version: UInt64, nextChangeMs: Int64?) {
        lock.locked { (version, nextChangeMs) }
    }

    /// The public tier of feature `f` for an entry.
    func tier(_ f: Int, _ entry: FeatureEntry) -> Tier {
        let tiers = handles.tiers[f]
        return Tier(
            feature: handles.features[f],
            id: entry.tierIndex.map { tiers[$0] },
            index: entry.tierIndex,
            isBasic: entry.tierIndex.map { $0 == tiers.count - 1 } ?? false,
            missingPurposes: entry.missing.map { handles.purposes[$0] },
            canAskNow: entry.canAsk
        )
    }

    // MARK: Closing

    /// Every later read answers "closed"; no table is published any more.
    func close() {
        lock.locked {
            isClosed = true
            for i in 0..<cellCount {
                ck_store_u8(codes, i, CoreCode.closed)
            }
        }
    }
}
