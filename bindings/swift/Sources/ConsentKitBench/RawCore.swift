// The generated (raw) UniFFI API, for the baselines that cross the boundary: the handle call and the string call. This file imports only
// ConsentKitGenerated (whose type names overlap the facade's); main.swift imports only the facade.
import ConsentKitGenerated
import Foundation

/// A raw core instance, opened behind no facade.
final class RawCore {
    private let core: ConsentKitGenerated.ConsentKit

    init(dbPath: String, manifestJSON: String, startMs: Int64) throws {
        core = try ConsentKitGenerated.ConsentKit.open(
            dbPath: dbPath, manifestJson: manifestJSON,
            options: OpenOptions(manualClockStartMs: startMs, accessFlushEvery: nil)
        )
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

    /// The `decideCode` method by handles: the cheapest exported decision call (two foreign calls: the object handle
    /// is cloned first), what the facade's mirror saves on every `decide`.
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

