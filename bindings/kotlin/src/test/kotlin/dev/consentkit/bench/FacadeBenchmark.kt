package dev.consentkit.bench

import dev.consentkit.ConsentKit
import dev.consentkit.ConsentKitOptions
import dev.consentkit.Decision
import kotlinx.coroutines.runBlocking
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths

/**
 * Warmed-loop micro-benchmark of the Kotlin hot path (not a test; `mvn -Pbench verify`, see README.md): the
 * facade's mirror `decide` against a plain HashMap lookup and against crossing the UniFFI boundary (the method
 * `decideCode`, the cheapest exported decision call), and `collect`
 * with and without a frequency limit. One run measures them all; each benchmark runs in its own forked JVM (as JMH
 * does), so one benchmark's JIT profile cannot speed up or slow down another; every result feeds a black hole.
 *
 * Arguments: `<repo root> <results json path>`; a child JVM gets `--child <repo root> <benchmark name>`.
 */
fun main(args: Array<String>) {
    if (args.firstOrNull() == "--child") {
        val result = runOne(Paths.get(args[1]), args[2])
        println("RESULT ${result.nsPerOp} ${result.minNsPerOp} ${result.opsPerRound}")
        return
    }
    val root = Paths.get(args.getOrElse(0) { "../.." }).toAbsolutePath().normalize()
    val out = File(args.getOrElse(1) { root.resolve("bench/kotlin-results.json").toString() }).canonicalFile
    val results = BENCHMARKS.map { name -> fork(root, name) }
    report(results, out)
}

private const val DECIDE = "facade decide (mirror)"
private const val DECIDE_USE = "facade decide(DataUse) (pair resolved once)"
private const val COLLECT_USE = "facade collect(DataUse), no frequency limit (amortised)"
private const val HASHMAP = "HashMap<String,Boolean>.get (same pairs, one precomputed combined key)"
private const val PAIR_MAP = "(context) HashMap<Pair<String,String>,Boolean>.get(Pair(p, d))"
private const val DECIDE_CODE_METHOD = "method decideCode(p, d) by handles across UniFFI: clone + call"
private const val COLLECT = "facade collect, no frequency limit (amortised incl. batch sends and final flush)"
private const val COLLECT_LIMITED = "facade collect, frequency-limited pair (crosses to the core)"
private const val PLAIN_MAPS = "(alt) the facade's decide path with two HashMap<String,Int> of the interned ids"
private const val NESTED_MAPS = "(alt) the facade's decide path with HashMap<String,HashMap<String,Decision>>"
private val BENCHMARKS = listOf(
    DECIDE, DECIDE_USE, HASHMAP, PAIR_MAP, PLAIN_MAPS, NESTED_MAPS, DECIDE_CODE_METHOD, COLLECT, COLLECT_USE,
    COLLECT_LIMITED,
)

private const val WARMUP_MS = 1_500L
private const val ROUND_MS = 300L
private const val ROUNDS = 7
private const val METHOD = "each benchmark in its own JVM: calibrate ops/round to ~$ROUND_MS ms, warm up $WARMUP_MS ms, " +
    "then $ROUNDS timed rounds (System.nanoTime); ns/op = median round (min also given); each loop folds its " +
    "results into a volatile sink. Keys are string constants, 8 (purpose, data type) pairs in rotation, allowed " +
    "and denied; collect rotates 4 allowed pairs without a frequency limit."

/** One benchmark's result. */
private class Result(val name: String, val nsPerOp: Double, val minNsPerOp: Double, val opsPerRound: Int)

/** Runs [name] in a child JVM with this JVM's classpath and native library path. */
private fun fork(root: Path, name: String): Result {
    val java = Paths.get(System.getProperty("java.home"), "bin", "java").toString()
    val command = listOf(
        java, "-Xms1g", "-Xmx1g",
        "-Djna.library.path=${System.getProperty("jna.library.path") ?: ""}",
        "-cp", System.getProperty("java.class.path"),
        "dev.consentkit.bench.FacadeBenchmarkKt", "--child", root.toString(), name,
    )
    val process = ProcessBuilder(command).redirectErrorStream(true).start()
    val output = process.inputStream.bufferedReader().readText()
    check(process.waitFor() == 0) { "benchmark \"$name\" failed:\n$output" }
    val line = output.lines().last { it.startsWith("RESULT ") }.split(" ")
    print(".")
    return Result(name, line[1].toDouble(), line[2].toDouble(), line[3].toInt())
}

/** Sets up an instance like an app that agreed to the policy and granted two purposes, and times [name]. */
private fun runOne(root: Path, name: String): Result {
    val db = Files.createTempDirectory("consentkit-bench").resolve("consent.db").toString()
    val manifest = Files.readString(root.resolve("examples/ride_hailing.json"))
    val kit = ConsentKit.openBlocking(db, manifest, ConsentKitOptions())
    runBlocking {
        kit.agreeToPolicy(kit.state.value.policyVersion)
        kit.grant("ads")
        kit.grant("live_location")
    }
    val pairs = arrayOf(
        "ride" to "phone_number", "ride" to "destination", "ads" to "device_id", "live_location" to "trajectory",
        "ride" to "payment_info", "ads" to "usage_history", "ride" to "location", "ride" to "departure",
    )
    val mask = pairs.size - 1
    val purposes = Array(pairs.size) { pairs[it].first }
    val dataTypes = Array(pairs.size) { pairs[it].second }
    // Combined keys built once (the cheapest map an app could keep), values the real decisions.
    val combinedKeys = Array(pairs.size) { "${purposes[it]}/${dataTypes[it]}" }
    val map = HashMap<String, Boolean>()
    val pairMap = HashMap<Pair<String, String>, Boolean>()
    for (i in pairs.indices) {
        map[combinedKeys[i]] = kit.decide(purposes[i], dataTypes[i]).isAllowed
        pairMap[purposes[i] to dataTypes[i]] = kit.decide(purposes[i], dataTypes[i]).isAllowed
    }
    val ids = kit.core.handles()
    val pHandles = IntArray(pairs.size) { ids.purposes.indexOf(purposes[it]) }
    val dHandles = IntArray(pairs.size) { ids.dataTypes.indexOf(dataTypes[it]) }
    val collectPurposes = arrayOf("ride", "ride", "ads", "live_location")
    val collectTypes = arrayOf("phone_number", "destination", "device_id", "trajectory")
    val uses = Array(pairs.size) { kit.dataUse(purposes[it], dataTypes[it]) }
    val collectUses = Array(4) { kit.dataUse(collectPurposes[it], collectTypes[it]) }
    val plain = PlainMapDecide(kit)
    var finish: () -> Unit = {}
    val loop: (Int) -> Long = when (name) {
        DECIDE -> { n ->
            var acc = 0
            for (i in 0 until n) if (kit.decide(purposes[i and mask], dataTypes[i and mask]) === Decision.Allowed) acc++
            acc.toLong()
        }
        DECIDE_USE -> { n ->
            var acc = 0
            for (i in 0 until n) if (kit.decide(uses[i and mask]) === Decision.Allowed) acc++
            acc.toLong()
        }
        HASHMAP -> { n ->
            var acc = 0
            for (i in 0 until n) if (map[combinedKeys[i and mask]] == true) acc++
            acc.toLong()
        }
        PLAIN_MAPS -> { n ->
            var acc = 0
            for (i in 0 until n) if (plain.decide(purposes[i and mask], dataTypes[i and mask]) === Decision.Allowed) acc++
            acc.toLong()
        }
        NESTED_MAPS -> { n ->
            var acc = 0
            for (i in 0 until n) if (plain.decideNested(purposes[i and mask], dataTypes[i and mask]) === Decision.Allowed) acc++
            acc.toLong()
        }
        PAIR_MAP -> { n ->
            var acc = 0
            for (i in 0 until n) if (pairMap[purposes[i and mask] to dataTypes[i and mask]] == true) acc++
            acc.toLong()
        }
        DECIDE_CODE_METHOD -> { n ->
            var acc = 0
            for (i in 0 until n) acc += kit.core.decideCode(pHandles[i and mask].toUInt(), dHandles[i and mask].toUInt()).toInt()
            acc.toLong()
        }
        COLLECT -> {
            finish = { runBlocking { kit.flush() } }
            { n ->
                var acc = 0
                for (i in 0 until n) if (kit.collect(collectPurposes[i and 3], collectTypes[i and 3]) === Decision.Allowed) acc++
                acc.toLong()
            }
        }
        COLLECT_USE -> {
            finish = { runBlocking { kit.flush() } }
            { n ->
                var acc = 0
                for (i in 0 until n) if (kit.collect(collectUses[i and 3]) === Decision.Allowed) acc++
                acc.toLong()
            }
        }
        COLLECT_LIMITED -> { n ->
            // 12 per minute are allowed; the rest answer FREQUENCY_LIMITED with a retry time. Every call crosses.
            var acc = 0
            for (i in 0 until n) if (kit.collect("live_location", "location") === Decision.Allowed) acc++
            acc.toLong()
        }
        else -> error("unknown benchmark $name")
    }
    return Bench().run(name, finish, loop).also { kit.closeBlocking() }
}

private fun report(results: List<Result>, out: File) {
    val byName = results.associateBy { it.name }
    val decide = byName.getValue(DECIDE).nsPerOp
    val ratios = linkedMapOf(
        "decide_over_hashmap" to decide / byName.getValue(HASHMAP).nsPerOp,
        "decide_over_pair_keyed_hashmap" to decide / byName.getValue(PAIR_MAP).nsPerOp,
        "plain_maps_over_decide" to byName.getValue(PLAIN_MAPS).nsPerOp / decide,
        "nested_maps_over_decide" to byName.getValue(NESTED_MAPS).nsPerOp / decide,
        "decide_data_use_over_hashmap" to byName.getValue(DECIDE_USE).nsPerOp / byName.getValue(HASHMAP).nsPerOp,
        "ffi_call_over_decide" to byName.getValue(DECIDE_CODE_METHOD).nsPerOp / decide,
        "collect_over_decide" to byName.getValue(COLLECT).nsPerOp / decide,
    )
    val targets = linkedMapOf(
        "decide_over_hashmap <= 2" to (ratios.getValue("decide_over_hashmap") <= 2.0),
        "ffi_call_over_decide >= 50" to (ratios.getValue("ffi_call_over_decide") >= 50.0),
        "collect_over_decide <= 3" to (ratios.getValue("collect_over_decide") <= 3.0),
    )
    println()
    println("%-84s %12s %12s".format("benchmark", "ns/op (med)", "ns/op (min)"))
    for (r in results) println("%-84s %12.1f %12.1f".format(r.name, r.nsPerOp, r.minNsPerOp))
    println()
    ratios.forEach { (k, v) -> println("%-40s %10.2f".format(k, v)) }
    targets.forEach { (k, v) -> println("%-40s %10s".format(k, if (v) "met" else "MISSED")) }

    fun json(s: String) = "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
    fun num(d: Double) = "%.2f".format(java.util.Locale.ROOT, d)
    out.parentFile.mkdirs()
    out.writeText(
        buildString {
            append("{\n")
            append("  \"generated_by\": \"bindings/kotlin/src/test/kotlin/dev/consentkit/bench/FacadeBenchmark.kt\",\n")
            append("  \"jvm\": ${json(System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))},\n")
            append("  \"os\": ${json(System.getProperty("os.name") + " " + System.getProperty("os.arch"))},\n")
            append("  \"cpus\": ${Runtime.getRuntime().availableProcessors()},\n")
            append("  \"native_library_dir\": ${json(File(System.getProperty("jna.library.path") ?: "").canonicalPath)},\n")
            append("  \"method\": ${json(METHOD)},\n")
            append("  \"results\": [\n")
            append(
                results.joinToString(",\n") { r ->
                    "    {\"name\": ${json(r.name)}, \"ns_per_op\": ${num(r.nsPerOp)}, " +
                        "\"min_ns_per_op\": ${num(r.minNsPerOp)}, \"ops_per_round\": ${r.opsPerRound}}"
                },
            )
            append("\n  ],\n")
            append("  \"ratios\": {" + ratios.entries.joinToString(", ") { "${json(it.key)}: ${num(it.value)}" } + "},\n")
            append("  \"targets_met\": {" + targets.entries.joinToString(", ") { "${json(it.key)}: ${it.value}" } + "}\n")
            append("}\n")
        },
    )
    println("\nwrote $out")
}

/**
 * The facade's `decide` path with the plain alternative to its identity-hash tables ([dev.consentkit.PairTable],
 * [dev.consentkit.IdTable]): the same interned ids in `java.util.HashMap`s, the same volatile read of an immutable
 * decision array, the same unknown-id check. Measured beside the real `decide` to show whether the custom tables
 * earn their code (issue 17, item 10).
 */
private class PlainMapDecide(kit: ConsentKit) {
    private val handles = kit.core.handles()
    private val width = handles.dataTypes.size
    private val purposeIds = HashMap<String, Int>().apply { handles.purposes.forEachIndexed { i, id -> put(id.intern(), i) } }
    private val dataTypeIds = HashMap<String, Int>().apply { handles.dataTypes.forEachIndexed { i, id -> put(id.intern(), i) } }

    @Volatile
    private var decisions: Array<Decision> = Array(handles.purposes.size * width) { pair ->
        decideOrDenied(kit, handles.purposes[pair / width], handles.dataTypes[pair % width])
    }

    @Volatile
    private var nested: HashMap<String, HashMap<String, Decision>> = HashMap<String, HashMap<String, Decision>>().apply {
        handles.purposes.forEach { p ->
            put(p.intern(), HashMap<String, Decision>().apply { handles.dataTypes.forEach { d -> put(d.intern(), decideOrDenied(kit, p, d)) } })
        }
    }

    fun decide(purpose: String, dataType: String): Decision {
        val p = purposeIds[purpose]
        val d = dataTypeIds[dataType]
        if (p == null || d == null) throw IllegalArgumentException("unknown id")
        return decisions[p * width + d]
    }

    fun decideNested(purpose: String, dataType: String): Decision =
        nested[purpose]?.get(dataType) ?: throw IllegalArgumentException("unknown id")

    private companion object {
        fun decideOrDenied(kit: ConsentKit, purpose: String, dataType: String): Decision = kit.decide(purpose, dataType)
    }
}

/** A small warmed-loop harness: calibrate, warm up, then time rounds and keep the median. */
private class Bench {
    @Volatile
    private var sink = 0L

    fun run(name: String, finish: () -> Unit, loop: (Int) -> Long): Result {
        var n = 1_000
        while (true) {
            val t = time(n, finish, loop)
            if (t >= ROUND_MS * 1_000_000 / 4 || n >= 1 shl 28) {
                n = (n.toDouble() * ROUND_MS * 1_000_000 / t).toInt().coerceIn(1_000, 1 shl 28)
                break
            }
            n *= 4
        }
        val warmEnd = System.nanoTime() + WARMUP_MS * 1_000_000
        while (System.nanoTime() < warmEnd) time(n, finish, loop)
        val perOp = DoubleArray(ROUNDS) { time(n, finish, loop).toDouble() / n }.sorted()
        return Result(name, perOp[ROUNDS / 2], perOp[0], n)
    }

    private fun time(n: Int, finish: () -> Unit, loop: (Int) -> Long): Long {
        val start = System.nanoTime()
        sink += loop(n)
        finish()
        return System.nanoTime() - start
    }
}
