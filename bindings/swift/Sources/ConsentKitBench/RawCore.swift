// The generated (raw) UniFFI API, for the baselines: the empty call and the handle call. This file imports only
// ConsentKitGenerated (whose type names overlap the facade's); main.swift imports only the facade.
import ConsentKitGenerated
import Foundation

/// A raw core instance, opened behind no facade.
final class RawCore {
    private let core: ConsentKitGenerated.ConsentKit
    /// The id `decideCodeFor` takes (see `ConsentKit.instanceId()`).
    let instance: UInt64

    init(dbPath: String, manifestJSON: String, startMs: Int64) throws {
        core = try ConsentKitGenerated.ConsentKit.open(
            dbPath: dbPath, manifestJson: manifestJSON,
            options: OpenOptions(manualClockStartMs: startMs, accessFlushEvery: nil)
        )
        instance = core.instanceId()
        let version = try core.status().policyVersion
        try core.agreeToPolicy(version: version, actor: .user, source: "bench")
        for purpose in try core.status().purposes.map(\.id) {
            try? core.grant(purpose: purpose, actor: .user, source: "bench")
        }
    }

    /// The (purpose, data type) handles of ids.
    func handles(_ pairs: [(String, String)]) throws -> [(UInt32, UInt32)] {
        try pairs.map { (try core.handle(kind: .purpose, id: $0.0), try core.handle(kind: .dataType, id: $0.1)) }
    }

    /// The exported free function `decideCodeFor` by instance id and handles: one foreign call, like the empty call.
    @inline(never)
    func decideCodeFor(_ purpose: UInt32, _ dataType: UInt32) -> UInt8 {
        ConsentKitGenerated.decideCodeFor(instance: instance, purpose: purpose, dataType: dataType)
    }

    /// The `decideCode` method by handles: two foreign calls (the object handle is cloned first), for context.
    @inline(never)
    func decideCode(_ purpose: UInt32, _ dataType: UInt32) -> UInt8 {
        core.decideCode(purpose: purpose, dataType: dataType)
    }

    /// The string-keyed `decide` (strings and an enum travel as buffers), for context.
    @inline(never)
    func decideByString(_ purpose: String, _ dataType: String) -> Int {
        switch try? core.decide(purpose: purpose, dataType: dataType) {
        case .allowed?: 1
        case .denied?: 2
        case nil: 3
        }
    }

    func close() {
        try? core.close()
    }
}

/// The empty UniFFI call (two u32 in, one u32 out).
@inline(never)
func noopCall(_ a: UInt32, _ b: UInt32) -> UInt32 {
    noopU32Pair(a: a, b: b)
}
