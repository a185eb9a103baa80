// ConsentKit Swift micro-benchmark (release build; not a test). Measures, in one run and with every result kept
// alive through a checksum, the nanoseconds per operation of:
//   facade decide (mirror) by id strings and by typed ids, a [String: Bool] lookup answering the same question, the
//   method decideCode across UniFFI (the cheapest exported decision call), facade collect (no limit, amortised over
//   batching) and facade collect on a frequency-limited pair (crosses into the core), plus the string-keyed core
//   decide for context.
// Usage: ConsentKitBench <repo root> [<output json>]   (bindings/swift/bench.sh runs it)
import ConsentKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
let repo = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : FileManager.default.currentDirectoryPath)
let output = arguments.count > 2 ? URL(fileURLWithPath: arguments[2]) : nil
let manifestPath = "examples/ride_hailing.json"
let manifest = try String(contentsOf: repo.appendingPathComponent(manifestPath), encoding: .utf8)
let startMs: Int64 = 1_767_225_600_000
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("consentkit-bench-\(getpid())")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }

// MARK: Set-up

let kit = try ConsentStore.open(
    dbPath: scratch.appendingPathComponent("facade.db").path,
    manifestJSON: manifest,
    options: OpenOptions(manualClockStart: Date(timeIntervalSince1970: TimeInterval(startMs) / 1000))
)
try await kit.agreeToPolicy(version: kit.currentState.policyVersion, source: "bench")
for purpose in kit.currentState.purposes.map(\.id) {
    try? await kit.grant(purpose, source: "bench")
}

// The manifest's declared (purpose, data type) pairs: the keys every variant looks up, in the same order.
let parsed = try JSONSerialization.jsonObject(with: Data(manifest.utf8)) as! [String: Any]
let declared: [(String, String)] = (parsed["purposes"] as! [[String: Any]]).flatMap { p in
    (p["data_types"] as! [String]).map { (p["id"] as! String, $0) }
}
let keyCount = 8
precondition(declared.count >= keyCount, "the manifest needs \(keyCount) declared pairs")
// Native Swift strings, like the literals an app passes (JSONSerialization may hand out bridged strings).
func native(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }
let purposes = declared.prefix(keyCount).map { native($0.0) }
let dataTypes = declared.prefix(keyCount).map { native($0.1) }
let combinedKeys = zip(purposes, dataTypes).map { "\($0)/\($1)" }
// The same keys as typed ids, as an app passes them (see TypedIds.swift).
let typedPurposes = purposes.map { BenchIds.Purpose(id: $0)! }
let typedDataTypes = dataTypes.map { BenchIds.DataType(id: $0)! }
var dictionary: [String: Bool] = [:]
for (i, key) in combinedKeys.enumerated() {
    dictionary[key] = try kit.decide(purposes[i], dataTypes[i]).isAllowed
}
// A second baseline: the cheapest possible lookup, one short id (the data type) per key.
var singleIdDictionary: [String: Bool] = [:]
for (i, d) in dataTypes.enumerated() { singleIdDictionary[d] = dictionary[combinedKeys[i]] }

let raw = try RawCore(dbPath: scratch.appendingPathComponent("raw.db").path, manifestJSON: manifest, startMs: startMs)
let handlePairs = try raw.handles(Array(declared.prefix(keyCount)))

// Allowed pairs without a frequency limit, and one limited pair (live_location/location, 12 a minute).
let unlimited = declared.filter { $0 != ("live_location", "location") }.filter { (try? kit.decide($0.0, $0.1).isAllowed) == true }
precondition(unlimited.count >= 4, "need allowed, unlimited pairs")
let unlimitedPurposes = (0..<keyCount).map { unlimited[$0 % unlimited.count].0 }
let unlimitedTypes = (0..<keyCount).map { unlimited[$0 % unlimited.count].1 }

// MARK: Measuring

func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// CPU time of the whole process (all threads), in ns: batching work happens on another thread.
func cpuNs() -> UInt64 {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    let user = UInt64(usage.ru_utime.tv_sec) * 1_000_000_000 + UInt64(usage.ru_utime.tv_usec) * 1000
    let sys = UInt64(usage.ru_stime.tv_sec) * 1_000_000_000 + UInt64(usage.ru_stime.tv_usec) * 1000
    return user + sys
}

struct Row {
    let name: String
    let what: String
    let iterations: Int
    let nsPerOp: Double
    let minNsPerOp: Double
    let cpuNsPerOp: Double
}

var checksum: UInt64 = 0
var rows: [Row] = []

/// Runs `body(iterations)` (which returns a checksum of its results) `rounds` times after a warm-up; keeps the
/// median wall time per op.
@MainActor func measure(_ name: String, _ what: String, iterations: Int, rounds: Int = 7, _ body: (Int) throws -> UInt64) rethrows {
    checksum &+= try body(iterations / 10) // warm-up
    var wall: [Double] = []
    var cpu: [Double] = []
    for _ in 0..<rounds {
        let c0 = cpuNs(), t0 = nowNs()
        checksum &+= try body(iterations)
        let t1 = nowNs(), c1 = cpuNs()
        wall.append(Double(t1 - t0) / Double(iterations))
        cpu.append(Double(c1 - c0) / Double(iterations))
    }
    let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
    rows.append(Row(name: name, what: what, iterations: iterations, nsPerOp: median(wall), minNsPerOp: wall.min()!,
                    cpuNsPerOp: median(cpu)))
}

/// Runs an async facade call to its end from the synchronous measuring loop (the main thread waits; the call runs
/// on the facade's own queues, never on the main actor).
func waitFor(_ operation: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        await operation()
        done.signal()
    }
    done.wait()
}

@inline(__always) func code(_ d: Decision) -> UInt64 {
    switch d {
    case .allowed: 1
    case .denied: 2
    }
}

@inline(__always) func code(_ c: CollectResult) -> UInt64 {
    switch c {
    case .allowed: 1
    case let .denied(_, retryAfter): 2 &+ UInt64(retryAfter?.components.seconds ?? 0)
    }
}

let n = 10_000_000

try measure("facade_decide_mirror", "ConsentStore.decide(purpose, dataType) from the mirror (no FFI)", iterations: n) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let k = i & (keyCount - 1)
        sum &+= code(try kit.decide(purposes[k], dataTypes[k]))
    }
    return sum
}

try measure("facade_decide_typed", "ConsentStore.decide(purpose, dataType) with typed ids (generated enums) from the mirror", iterations: n) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let k = i & (keyCount - 1)
        sum &+= code(try kit.decide(typedPurposes[k], typedDataTypes[k]))
    }
    return sum
}

measure("dictionary_lookup", "[String: Bool] lookup of the same (purpose, dataType) question, key \"purpose/dataType\" precomputed", iterations: n) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let k = i & (keyCount - 1)
        sum &+= dictionary[combinedKeys[k]] == true ? 1 : 2
    }
    return sum
}

measure("dictionary_lookup_single_id", "[String: Bool] lookup keyed by one short id (the data type): the cheapest lookup", iterations: n) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let k = i & (keyCount - 1)
        sum &+= singleIdDictionary[dataTypes[k]] == true ? 1 : 2
    }
    return sum
}

measure("ffi_decide_code_method", "the method decideCode(purpose:dataType:) by handles across UniFFI: clone + call", iterations: 2 * n) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let (p, d) = handlePairs[i & (keyCount - 1)]
        sum &+= UInt64(raw.decideCode(p, d))
    }
    return sum
}

try measure("facade_collect", "ConsentStore.collect on allowed pairs without a limit, amortised (batching included, flush at the end)", iterations: n) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let k = i & (keyCount - 1)
        sum &+= code(try kit.collect(unlimitedPurposes[k], unlimitedTypes[k]))
    }
    waitFor { [kit] in await kit.didEnterBackground() } // send and write what is pending, inside the measured time
    return sum
}

try measure("facade_collect_limited", "ConsentStore.collect on a frequency-limited pair (crosses into the core: collectCode)", iterations: n / 5) { n in
    var sum: UInt64 = 0
    for _ in 0..<n {
        sum &+= code(try kit.collect("live_location", "location"))
    }
    return sum
}

measure("ffi_decide_string", "the generated string-keyed decide(purpose:dataType:) (for context)", iterations: n / 20) { n in
    var sum: UInt64 = 0
    for i in 0..<n {
        let k = i & (keyCount - 1)
        sum &+= UInt64(raw.decideByString(purposes[k], dataTypes[k]))
    }
    return sum
}

try await kit.close()
raw.close()

// MARK: Report

@MainActor func ns(_ name: String) -> Double { rows.first { $0.name == name }!.nsPerOp }
@MainActor func cpu(_ name: String) -> Double { rows.first { $0.name == name }!.cpuNsPerOp }
let decideVsDictionary = ns("facade_decide_mirror") / ns("dictionary_lookup")
let typedVsDictionary = ns("facade_decide_typed") / ns("dictionary_lookup")
let collectVsDecide = ns("facade_collect") / ns("facade_decide_mirror")
let handleCallVsDecide = ns("ffi_decide_code_method") / ns("facade_decide_mirror")
let decideVsDictionaryCPU = cpu("facade_decide_mirror") / cpu("dictionary_lookup")
let collectVsDecideCPU = cpu("facade_collect") / cpu("facade_decide_mirror")
let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
    .split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"

print(String(repeating: "-", count: 86))
print("ConsentKit Swift benchmark (release, Swift \(swiftVersion()), \(ProcessInfo.processInfo.activeProcessorCount) cores)")
print(String(repeating: "-", count: 86))
print("name".padding(toLength: 30, withPad: " ", startingAt: 0) + "  ns/op  min ns/op  cpu ns/op  iterations")
for r in rows {
    print(r.name.padding(toLength: 30, withPad: " ", startingAt: 0)
        + String(format: "%7.1f  %9.1f  %9.1f  %10d", r.nsPerOp, r.minNsPerOp, r.cpuNsPerOp, r.iterations))
}
print(String(repeating: "-", count: 86))
print(String(format: "facade decide / dictionary lookup = %.2fx wall, %.2fx cpu (target <= 1.5x) %@", decideVsDictionary,
             decideVsDictionaryCPU, max(decideVsDictionary, decideVsDictionaryCPU) <= 1.5 ? "OK" : "MISSED"))
print(String(format: "typed-id decide / dictionary lookup = %.2fx wall (for context)", typedVsDictionary))
print(String(format: "facade collect / facade decide    = %.2fx wall, %.2fx cpu (target <= 3x)   %@", collectVsDecide,
             collectVsDecideCPU, max(collectVsDecide, collectVsDecideCPU) <= 3 ? "OK" : "MISSED"))
print("load average at the end: \(loadAverage) (wall times include time the thread waited for a core)")
print("checksum \(checksum)")

func swiftVersion() -> String {
    #if swift(>=6.1)
    "6.1+"
    #elseif swift(>=6.0)
    "6.0"
    #else
    "5.x"
    #endif
}

if let output {
    let json: [String: Any] = [
        "generated_by": "bindings/swift/bench.sh (Sources/ConsentKitBench)",
        "date": ISO8601DateFormatter().string(from: Date()),
        "build": "swift -c release, cargo --release (lto)",
        "swift": swiftVersion(),
        "cores": ProcessInfo.processInfo.activeProcessorCount,
        "manifest": manifestPath,
        "keys": combinedKeys,
        "note": "ns_per_op: median wall time of 7 rounds (min_ns_per_op: fastest round); every result folded into a checksum that is printed; cpu_ns_per_op: process CPU time (all threads: batch sends run on a background queue), steadier than wall time when the machine is busy (see load_average_at_end)",
        "results": rows.map { [
            "name": $0.name, "what": $0.what, "iterations": $0.iterations,
            "ns_per_op": ($0.nsPerOp * 10).rounded() / 10, "min_ns_per_op": ($0.minNsPerOp * 10).rounded() / 10,
            "cpu_ns_per_op": ($0.cpuNsPerOp * 10).rounded() / 10,
        ] as [String: Any] },
        "load_average_at_end": loadAverage,
        "ratios": [
            "facade_decide_over_dictionary": (decideVsDictionary * 100).rounded() / 100,
            "facade_collect_over_facade_decide": (collectVsDecide * 100).rounded() / 100,
            "facade_decide_over_dictionary_cpu": (decideVsDictionaryCPU * 100).rounded() / 100,
            "facade_collect_over_facade_decide_cpu": (collectVsDecideCPU * 100).rounded() / 100,
            "ffi_call_over_facade_decide": (handleCallVsDecide * 100).rounded() / 100,
            "facade_decide_typed_over_dictionary": (typedVsDictionary * 100).rounded() / 100,
        ],
        "targets": [
            "facade_decide_over_dictionary_max": 1.5,
            "met_decide": max(decideVsDictionary, decideVsDictionaryCPU) <= 1.5,
            "facade_collect_over_facade_decide_max": 3.0,
            "met_collect": max(collectVsDecide, collectVsDecideCPU) <= 3,
        ],
        "checksum": String(checksum),
    ]
    try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
    try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: output)
    print("wrote \(output.path)")
}
