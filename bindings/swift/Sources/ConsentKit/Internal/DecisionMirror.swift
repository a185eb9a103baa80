import Foundation
internal import ConsentKitAtomics
internal import ConsentKitGenerated

/// One published decision table, immutable: the decision codes, the frequency-limit flags and the feature entries
/// of one version of the core's table. It exists so `decide` and `resolve` answer from the same version: the mirror
/// swaps whole versions, never cells, so a reader holding one never sees half of a table.
final class MirrorVersion: Sendable {
    /// One feature's resolution, from the table.
    struct FeatureEntry: Sendable, Equatable {
        let tierIndex: Int?
        let missing: [Int]
        let canAsk: Bool
    }

    /// The core's version of the table (increases with every change).
    let version: UInt64
    /// Decision code per cell (see the core's `decide_code`).
    let codes: [UInt8]
    /// Per cell: a frequency limit applies, so only the core can answer `collect`.
    let limited: [Bool]
    /// Per feature: its resolution.
    let features: [FeatureEntry]
    /// When the table's time-based answers next change (UTC ms), if ever.
    let nextChangeMs: Int64?
    /// The instance was closed: every code is "closed" and nothing is published any more.
    let isClosed: Bool

    init(version: UInt64, codes: [UInt8], limited: [Bool], features: [FeatureEntry], nextChangeMs: Int64?,
         isClosed: Bool) {
        self.version = version
        self.codes = codes
        self.limited = limited
        self.features = features
        self.nextChangeMs = nextChangeMs
        self.isClosed = isClosed
    }

    /// The decision code of a cell.
    @inline(__always)
    func code(_ cell: Int) -> UInt8 { codes[cell] }

    /// Whether `other` is the same table: publishing it again would change no answer.
    func answersLike(_ other: MirrorVersion) -> Bool {
        version == other.version && isClosed == other.isClosed && nextChangeMs == other.nextChangeMs
            && codes == other.codes && limited == other.limited && features == other.features
    }
}

/// The read-only mirror of the core's current decisions (DESIGN §6): `decide` and `resolve` read it without
/// crossing the FFI boundary. Every entry comes from a `DecisionTable` computed by the core; nothing is derived here.
///
/// The mirror holds one immutable ``MirrorVersion`` and replaces it as a whole: a reader takes the current version
/// and answers from it. A table is published only if it is not older than the one in place (versions increase with
/// every change; a table of the same version computed later carries fresher time-based fields, e.g. a cooldown that
/// ended); a table equal to the one in place is not published again.
///
/// Readers take no lock (DESIGN: the hot path takes none). The current version is published as a pointer in one
/// atomic slot (`ck_store_ptr`, release) and read with one acquire load (`ck_load_ptr`), so a reader sees a version
/// whose every field was written before it was published. Publishers serialise on `lock` and never free a version a
/// reader may still hold: the versions they replace are kept (`retired`) until the mirror itself goes away. A reader
/// holds the mirror (through its store), so the version it loaded stays alive while it reads, retained or not. Only
/// changes are kept (one per consent change or cooldown end; two bytes per decision cell plus the feature entries
/// each), never repeats of a table.
///
/// `close()` installs a version whose every code is the core's "closed" code, so a closed instance answers
/// `.closed` for free.
final class DecisionMirror: @unchecked Sendable {
    let handles: HandleMaps
    let cellCount: Int

    /// The published version: an unretained pointer to `current`, read lock-free.
    private let slot: UnsafeMutableRawPointer
    /// Serialises publishers. Readers never take it.
    private let lock = NSLock()
    // Guarded by `lock`: the owner of the published version, and every version it replaced.
    private var current: MirrorVersion
    private var retired: [MirrorVersion] = []

    /// Builds the mirror from the first table; throws if this Swift layer cannot read the core's table.
    init(handles: HandleMaps, table: ConsentKitGenerated.DecisionTable) throws {
        self.handles = handles
        cellCount = handles.purposes.count * handles.width
        current = MirrorVersion(
            version: 0,
            codes: [UInt8](repeating: CoreCode.closed, count: cellCount),
            limited: [Bool](repeating: false, count: cellCount),
            features: [],
            nextChangeMs: nil,
            isClosed: false
        )
        slot = .allocate(byteCount: MemoryLayout<UnsafeRawPointer>.size,
                         alignment: MemoryLayout<UnsafeRawPointer>.alignment)
        ck_store_ptr(slot, Unmanaged.passUnretained(current).toOpaque())
        if let problem = check(table) {
            throw ConsentKitError.unexpected(detail: "cannot read the core's decision table: \(problem)")
        }
        publish(table)
    }

    deinit {
        slot.deallocate()
    }

    /// The version in place: answer several questions from it to get answers of one table.
    var snapshot: MirrorVersion {
        Unmanaged<MirrorVersion>.fromOpaque(ck_load_ptr(slot)!).takeUnretainedValue()
    }

    /// Runs `body` on the version in place without retaining it (one atomic load): for the hot path, where a
    /// retain and release would cost more than the read. `body` must not keep the version.
    @inline(__always)
    func withCurrent<R>(_ body: (MirrorVersion) throws -> R) rethrows -> R {
        try Unmanaged<MirrorVersion>.fromOpaque(ck_load_ptr(slot)!)._withUnsafeGuaranteedRef(body)
    }

    /// How many replaced versions the mirror keeps alive (for the tests of its memory bound).
    var retiredCount: Int {
        lock.locked { retired.count }
    }

    /// Makes `next` the published version. Call with `lock` held.
    private func install(_ next: MirrorVersion) {
        retired.append(current)
        current = next
        ck_store_ptr(slot, Unmanaged.passUnretained(next).toOpaque())
    }

    // MARK: Publishing

    /// Takes `table` if it is readable, not older than the current one and not equal to it. Returns whether it did.
    @discardableResult
    func publish(_ table: ConsentKitGenerated.DecisionTable) -> Bool {
        if let problem = check(table) {
            assertionFailure("ConsentStore: ignoring an unreadable decision table: \(problem)")
            return false
        }
        // Built outside the lock; only the swap is under it.
        let next = MirrorVersion(
            version: table.version,
            codes: [UInt8](table.codes),
            limited: [UInt8](table.limited).map { $0 != 0 },
            features: (0..<table.featureTier.count).map { f in
                MirrorVersion.FeatureEntry(
                    tierIndex: table.featureTier[f] < 0 ? nil : Int(table.featureTier[f]),
                    missing: table.featureMissing[f].map(Int.init),
                    canAsk: table.featureCanAsk[f]
                )
            },
            nextChangeMs: table.nextChangeMs,
            isClosed: false
        )
        return lock.locked {
            guard !current.isClosed, next.version >= current.version, !next.answersLike(current) else { return false }
            install(next)
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

    // MARK: Reading

    /// The table's version and when its time-based answers next change.
    var currentVersion: (version: UInt64, nextChangeMs: Int64?) {
        let v = snapshot
        return (v.version, v.nextChangeMs)
    }

    /// The public tier of feature `f` in version `v`.
    func tier(_ f: Int, in v: MirrorVersion) -> Tier {
        let entry = v.features[f]
        let tiers = handles.tiers[f]
        return Tier(
            feature: handles.features[f],
            tierID: entry.tierIndex.map { tiers[$0] },
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
            guard !current.isClosed else { return }
            install(MirrorVersion(
                version: current.version,
                codes: [UInt8](repeating: CoreCode.closed, count: cellCount),
                limited: [Bool](repeating: false, count: cellCount),
                features: current.features,
                nextChangeMs: nil,
                isClosed: true
            ))
        }
    }
}
