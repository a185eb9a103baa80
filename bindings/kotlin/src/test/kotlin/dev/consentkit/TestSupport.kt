package dev.consentkit

import com.sun.jna.Memory
import com.sun.jna.NativeLibrary
import dev.consentkit.internal.CollectOutcome
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.sql.DriverManager
import kotlin.io.path.absolutePathString
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.readText
import dev.consentkit.internal.Decision as CoreDecision

/** Shared helpers of the JVM tests: repo files, temporary databases, names as the scenario files spell them. */
internal object TestSupport {
    /** The repository root (Surefire passes it; running from bindings/kotlin also works). */
    val root: Path = Paths.get(System.getProperty("consentkit.rootDir") ?: "../..").toAbsolutePath().normalize()

    /** Default start of the manual clock in scenarios (2026-01-01T00:00Z), as in tests/scenarios.rs. */
    const val START_MS = 1_767_225_600_000L

    fun read(relative: String): String = root.resolve(relative).readText()

    /** The scenario files, sorted, as tests/scenarios.rs runs them. */
    fun scenarioFiles(): List<Path> =
        root.resolve("tests/scenarios").listDirectoryEntries("*.json").sortedBy { it.name }

    /** Every valid manifest the repo ships (examples and scenario manifests). */
    fun manifests(): List<Path> =
        (root.resolve("examples").listDirectoryEntries("*.json") +
            root.resolve("tests/scenarios/manifests").listDirectoryEntries("*.json")).sortedBy { it.name }

    /**
     * Where test databases go: tmpfs when there is one. Every write is fsync'ed (synchronous=FULL), which costs
     * milliseconds on a disk and made the suite several times slower; durability is the Rust suite's business.
     */
    private val tmpRoot: Path? = Paths.get("/dev/shm").takeIf { Files.isDirectory(it) && Files.isWritable(it) }
    private val tempDirs = java.util.concurrent.ConcurrentLinkedQueue<Path>()

    init {
        Runtime.getRuntime().addShutdownHook(
            Thread { tempDirs.forEach { dir -> runCatching { dir.toFile().deleteRecursively() } } },
        )
    }

    /** A fresh database path in its own temporary directory (deleted when the test JVM exits). */
    fun tempDb(): Path {
        val dir = if (tmpRoot != null) Files.createTempDirectory(tmpRoot, "consentkit-test") else Files.createTempDirectory("consentkit-test")
        tempDirs.add(dir)
        return dir.resolve("consent.db")
    }

    fun open(
        manifest: String = "examples/ride_hailing.json",
        db: Path = tempDb(),
        options: ConsentKitOptions = ConsentKitOptions(manualClockStartMs = START_MS),
    ): ConsentKit = ConsentKit.openBlocking(db.absolutePathString(), read(manifest), options)

    /**
     * Arms the test-only panic hook of the `test-hooks` build the tests run against: the next guarded call into the
     * core panics inside it. Called through JNA by its C symbol, because the generated bindings come from the
     * library the jar ships, which has no such export (JarLoadIT checks that).
     */
    fun armTestPanic() {
        val status = Memory(64).apply { clear() } // RustCallStatus: code + error buffer
        NativeLibrary.getInstance("consentkit").getFunction(TEST_PANIC_SYMBOL).invokeVoid(arrayOf(status))
        check(status.getByte(0).toInt() == 0) { "arm_test_panic failed" }
    }

    /** The C symbol of `arm_test_panic` (src/ffi/guard.rs), exported only by a `test-hooks` build. */
    const val TEST_PANIC_SYMBOL = "uniffi_consentkit_fn_func_arm_test_panic"

    fun errorName(e: ConsentKitException): String = when (e) {
        is ConsentKitException.InvalidManifest -> "invalid_manifest"
        is ConsentKitException.UnknownId -> "unknown_id"
        is ConsentKitException.InvalidArgument -> "invalid_argument"
        is ConsentKitException.SeparateConsentRequired -> "separate_consent_required"
        is ConsentKitException.GuardianRequired -> "guardian_required"
        is ConsentKitException.Storage -> "storage"
        is ConsentKitException.Closed -> "closed"
        is ConsentKitException.ClockNotManual -> "clock_not_manual"
        is ConsentKitException.Unexpected -> "unexpected"
    }

    /** A write refusal under the name of the core error it stands for (as the scenario files spell it). */
    fun refusalName(r: WriteRefusal): String = when (r) {
        is WriteRefusal.SeparateConsentRequired -> "separate_consent_required"
        is WriteRefusal.GuardianRequired -> "guardian_required"
        is WriteRefusal.StaleVersion -> "invalid_argument"
    }

    fun reasonName(r: DenyReason): String = r.name.lowercase()

    fun decisionName(d: Decision): String = when (d) {
        Decision.Allowed -> "allowed"
        is Decision.Denied -> "denied:${reasonName(d.reason)}"
    }

    /** The core's own string-keyed answer, in the facade's types. */
    fun CoreDecision.toFacade(): Decision = when (this) {
        CoreDecision.Allowed -> Decision.Allowed
        is CoreDecision.Denied -> Decision.Denied(reason.toPublic())
    }

    fun CollectOutcome.toFacade(): Decision = when (this) {
        CollectOutcome.Allowed -> Decision.Allowed
        is CollectOutcome.Denied -> Decision.Denied(
            reason.toPublic(),
            retryAfterMs?.let { kotlin.time.Duration.parse("${it}ms") },
        )
    }

    /**
     * Access-log totals read straight from the SQLite file with JDBC (independent of ConsentKit):
     * "purpose/data_type/recipient" → count ('' recipient = the app itself).
     *
     * Only for a CLOSED database: sqlite-jdbc brings a second SQLite library into the process, and two SQLite
     * copies must not share an open file (POSIX locks are per process; reads came back stale when we tried).
     */
    fun accessLog(db: Path): Map<String, Long> =
        DriverManager.getConnection("jdbc:sqlite:${db.absolutePathString()}").use { c ->
            c.createStatement().use { s ->
                s.executeQuery(
                    "SELECT purpose, data_type, recipient, SUM(count) FROM access_log GROUP BY 1, 2, 3",
                ).use { rs ->
                    buildMap {
                        while (rs.next()) put("${rs.getString(1)}/${rs.getString(2)}/${rs.getString(3)}", rs.getLong(4))
                    }
                }
            }
        }

    /** Polls [condition] until it holds or [timeoutMs] passes. */
    fun eventually(timeoutMs: Long = 5_000, condition: () -> Boolean): Boolean {
        val end = System.currentTimeMillis() + timeoutMs
        while (System.currentTimeMillis() < end) {
            if (condition()) return true
            Thread.sleep(10)
        }
        return condition()
    }
}
