package dev.consentkit

import dev.consentkit.TestSupport.toFacade
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import kotlin.io.path.invariantSeparatorsPathString
import kotlin.io.path.name
import kotlin.random.Random
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.minutes

/**
 * The decision mirror answers exactly as the core: after every step of every scenario, and after every write of
 * random write sequences on every shipped manifest, the facade's local `decide` / `resolve` equal the core's
 * string-keyed `decide` / `resolve` for every purpose × data type and every feature (and unknown ids fail alike).
 */
class MirrorMatchesCoreTest {
    @TestFactory
    fun `mirror equals core after every scenario step`(): List<DynamicTest> =
        TestSupport.scenarioFiles().map { file ->
            DynamicTest.dynamicTest(file.name) {
                var checks = 0
                ScenarioRunner(file) { kit -> checks += assertMirrorMatchesCore(kit, "${file.name}") }.run()
                check(checks > 0)
            }
        }

    @TestFactory
    fun `mirror equals core after random writes`(): List<DynamicTest> =
        TestSupport.manifests().flatMap { manifest ->
            (1..2).map { seed ->
                DynamicTest.dynamicTest("${manifest.name} seed $seed") {
                    randomWrites(TestSupport.root.relativize(manifest).invariantSeparatorsPathString, seed)
                }
            }
        }

    private fun randomWrites(manifest: String, seed: Int) = runBlocking {
        val rnd = Random(seed * 7919 + manifest.hashCode())
        val db = TestSupport.tempDb()
        var now = TestSupport.START_MS
        var kit = TestSupport.open(manifest, db, ConsentKitOptions(manualClockStartMs = now))
        val ids = kit.core.handles()
        val policy = kit.state.value.policyVersion
        fun purpose() = if (rnd.nextInt(20) == 0) "no_such_purpose" else ids.purposes.random(rnd)
        fun actor() = if (rnd.nextBoolean()) Actor.USER else Actor.GUARDIAN
        try {
            repeat(30) { i ->
                val op = rnd.nextInt(12)
                try {
                    when (op) {
                        0 -> kit.agreeToPolicy(if (rnd.nextInt(8) == 0) "old" else policy, actor(), "random")
                        1 -> kit.declinePolicy("random")
                        2, 3 -> kit.grant(purpose(), actor(), "random")
                        4 -> kit.grantAll(ids.purposes.shuffled(rnd).take(rnd.nextInt(1, 3)), actor(), "random")
                        5 -> kit.refuse(purpose(), actor(), "random")
                        6 -> kit.withdraw(purpose(), actor(), "random")
                        7 -> kit.setAgeBracket(AgeBracket.entries.random(rnd), actor(), "random")
                        8 -> {
                            val by = if (rnd.nextBoolean()) rnd.nextInt(1, 50).hours else rnd.nextInt(1, 90).minutes
                            now += by.inWholeMilliseconds
                            kit.advanceClock(by)
                        }
                        9 -> if (rnd.nextInt(4) == 0) kit.eraseAll(actor(), "random")
                        10 -> {
                            kit.close()
                            kit = TestSupport.open(manifest, db, ConsentKitOptions(manualClockStartMs = now))
                        }
                        else -> ids.dataTypes.random(rnd).let { d -> ids.purposes.forEach { p -> kit.collect(p, d) } }
                    }
                } catch (expected: ConsentKitException) {
                    // Refusals (guardian required, bundles, unknown ids...) are part of the random walk.
                }
                assertMirrorMatchesCore(kit, "$manifest seed $seed op $i ($op)")
            }
        } finally {
            kit.close()
        }
    }

    companion object {
        /** Compares every mirror answer with the core's; returns how many answers were compared. */
        fun assertMirrorMatchesCore(kit: ConsentKit, ctx: String): Int {
            val ids = kit.core.handles()
            var n = 0
            for (p in ids.purposes) {
                for (d in ids.dataTypes) {
                    val expected = kit.core.decide(p, d).toFacade()
                    // The ids from handles() are fresh strings; interned ones, like an app's constants, take decide's
                    // identity probe instead.
                    assertEquals(expected, kit.decide(p, d), "$ctx: decide($p, $d)")
                    assertEquals(expected, kit.decide(p.intern(), d.intern()), "$ctx: decide($p, $d), interned")
                    n++
                }
            }
            for (f in ids.features) {
                assertEquals(kit.core.resolve(f).toPublic(), kit.resolve(f), "$ctx: resolve($f)")
                n++
            }
            val long = "x".repeat(100) + "é".repeat(10)
            for (bad in listOf("nope", "", long)) {
                assertSameError(ctx, { kit.core.decide(bad, ids.dataTypes[0]) }, { kit.decide(bad, ids.dataTypes[0]) })
                assertSameError(ctx, { kit.core.decide(ids.purposes[0], bad) }, { kit.decide(ids.purposes[0], bad) })
                assertSameError(ctx, { kit.core.resolve(bad) }, { kit.resolve(bad) })
            }
            assertEquals(kit.status(), kit.state.value, "$ctx: state flow is current")
            return n
        }

        private fun assertSameError(ctx: String, core: () -> Any, facade: () -> Any) {
            val c = runCatching { callCore(core) }.exceptionOrNull() as ConsentKitException.UnknownId
            val f = runCatching(facade).exceptionOrNull() as ConsentKitException.UnknownId
            assertEquals(c.kind to c.id, f.kind to f.id, "$ctx: unknown id error")
        }
    }
}
