/// (purpose id, data type id) → decision-table cell, for the hot path of `decide` and `collect`.
///
/// A `[String: Int]` lookup hashes its key with SipHash; a pair of strings hashed that way costs two lookups. The
/// ids are fixed when the manifest loads, so this is a small open-addressing table with a cheap multiplicative hash
/// over the ids' UTF-8 bytes (read 8 bytes at a time); a hit is confirmed by comparing both strings, so the hash
/// only has to be fast, not strong (a string that is not an id can only miss). One table per open instance.
final class PairIndex: Sendable {
    private let mask: Int
    private let fingerprints: [UInt64] // 0 = empty slot
    private let purposes: [String]
    private let dataTypes: [String]
    private let cells: [Int]

    init(purposes ids: [String], dataTypes types: [String]) {
        let count = ids.count * types.count
        var capacity = 8
        while capacity < count * 2 { capacity <<= 1 }
        var fingerprints = [UInt64](repeating: 0, count: capacity)
        var purposes = [String](repeating: "", count: capacity)
        var dataTypes = [String](repeating: "", count: capacity)
        var cells = [Int](repeating: -1, count: capacity)
        for (p, purpose) in ids.enumerated() {
            for (d, dataType) in types.enumerated() {
                let f = Self.fingerprint(purpose, dataType)
                var i = Int(truncatingIfNeeded: f) & (capacity - 1)
                while fingerprints[i] != 0 {
                    if fingerprints[i] == f, purposes[i] == purpose, dataTypes[i] == dataType { break } // duplicate id
                    i = (i + 1) & (capacity - 1)
                }
                if fingerprints[i] != 0 { continue }
                fingerprints[i] = f
                purposes[i] = purpose
                dataTypes[i] = dataType
                cells[i] = p * types.count + d
            }
        }
        mask = capacity - 1
        self.fingerprints = fingerprints
        self.purposes = purposes
        self.dataTypes = dataTypes
        self.cells = cells
    }

    /// The cell of a pair, or `nil` if either id is unknown.
    @inline(__always)
    func cell(_ purpose: String, _ dataType: String) -> Int? {
        let f = Self.fingerprint(purpose, dataType)
        var i = Int(truncatingIfNeeded: f) & mask
        while true {
            let slot = fingerprints[i]
            if slot == 0 { return nil }
            if slot == f, purposes[i] == purpose, dataTypes[i] == dataType { return cells[i] }
            i = (i + 1) & mask
        }
    }

    // MARK: Hashing

    private static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A non-zero 64-bit hash of the pair (each id's length is mixed in, so ("ab", "c") and ("a", "bc") differ).
    @inline(__always)
    static func fingerprint(_ purpose: String, _ dataType: String) -> UInt64 {
        var h = mix(dataType, mix(purpose, 0x243F_6A88_85A3_08D3))
        h ^= h >> 32
        return h | 1
    }

    @inline(__always)
    private static func mix(_ s: String, _ seed: UInt64) -> UInt64 {
        if let h = s.utf8.withContiguousStorageIfAvailable({ mix(UnsafeRawBufferPointer($0), seed) }) {
            return h
        }
        return Array(s.utf8).withUnsafeBytes { mix($0, seed) } // bridged strings without contiguous UTF-8
    }

    @inline(__always)
    private static func mix(_ bytes: UnsafeRawBufferPointer, _ seed: UInt64) -> UInt64 {
        var h = seed
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* multiplier
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail ^ (UInt64(n) << 56)) &* multiplier
        return h ^ (h >> 31)
    }
}
