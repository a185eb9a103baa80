package dev.consentkit

import dev.consentkit.internal.ConsentException
import dev.consentkit.internal.DiagnosticSeverity
import dev.consentkit.internal.lintManifest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertInstanceOf
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Files
import kotlin.io.path.absolutePathString

/** Errors from the core arrive as the typed [ConsentKitException] subclasses, with their fields. */
class ErrorMappingTest {
    @Test
    fun `a manifest with lint errors is refused with every diagnostic`() {
        val bad = TestSupport.read("examples/ride_hailing.json")
            .replace("\"retention_days\": 90", "\"retention_days\": null")
            .replace("沪ICP备12345678号-3A", "nope")
        val e = assertThrows<ConsentKitException.InvalidManifest> {
            ConsentKit.openBlocking(TestSupport.tempDb().absolutePathString(), bad)
        }
        assertEquals(listOf("CK010", "CK012"), e.diagnostics.map { it.code })
        assertTrue(e.diagnostics.all { it.severity == ManifestDiagnostic.Severity.ERROR && it.fix.isNotEmpty() })
        assertInstanceOf(ConsentException.InvalidManifest::class.java, e.cause)

        val syntax = assertThrows<ConsentKitException.InvalidManifest> {
            ConsentKit.openBlocking(TestSupport.tempDb().absolutePathString(), "{")
        }
        assertTrue(syntax.diagnostics.isEmpty())
    }

    @Test
    fun `every broken example with a lint error is refused with that code`() {
        Files.list(TestSupport.root.resolve("examples/broken")).use { files ->
            files.filter { it.toString().endsWith(".json") }.forEach { f ->
                val json = Files.readString(f)
                // What the core's lint says about it (some broken examples only earn a warning).
                val errors = runCatching { lintManifest(json) }.getOrNull()
                    ?.filter { it.severity == DiagnosticSeverity.ERROR }?.map { it.code }
                if (errors != null && errors.isEmpty()) return@forEach
                val e = assertThrows<ConsentKitException.InvalidManifest>(f.toString()) {
                    ConsentKit.openBlocking(TestSupport.tempDb().absolutePathString(), json)
                }
                if (errors != null) assertEquals(errors, e.diagnostics.filter { it.severity == ManifestDiagnostic.Severity.ERROR }.map { it.code })
            }
        }
    }

    @Test
    fun `write and read errors are typed`() = runBlocking {
        TestSupport.open().use { kit ->
            val unknown = assertThrows<ConsentKitException.UnknownId> { kit.decide("telepathy", "location") }
            assertEquals("purpose" to "telepathy", unknown.kind to unknown.id)
            assertEquals("data_type", assertThrows<ConsentKitException.UnknownId> { kit.decide("ride", "aura") }.kind)
            assertEquals("feature", assertThrows<ConsentKitException.UnknownId> { kit.resolve("teleport") }.kind)
            assertEquals(
                "third_party",
                assertThrows<ConsentKitException.UnknownId> { kit.collect("ride", "phone_number", "nobody") }.kind,
            )
            assertEquals("purpose", assertThrows<ConsentKitException.UnknownId> { kit.grant("telepathy") }.kind)

            // A stale policy version is an expected refusal (a value); a bad argument is a bug (an exception).
            assertEquals(
                WriteResult.Refused(WriteRefusal.StaleVersion(AgreedDocument.PRIVACY_POLICY, "1999-01-01", "2026-11-01")),
                kit.agreeToPolicy("1999-01-01"),
            )
            assertThrows<ConsentKitException.InvalidArgument> { kit.agreeToPolicy("2026-11-01", source = "s".repeat(300)) }
            assertThrows<ConsentKitException.InvalidArgument> { kit.grant("ads", source = "s".repeat(300)) }
            assertThrows<ConsentKitException.InvalidArgument> { kit.grantAll(emptyList<String>()) }
            assertFalse(kit.state.value.policyAgreed, "nothing was written")

            assertEquals(WriteResult.Recorded, kit.agreeToPolicy(kit.state.value.policyVersion))
            val bundle = kit.grantAll(listOf("ads", "live_location"))
            check(bundle is WriteResult.Refused) { "bundle of separate consents recorded" }
            val separate = bundle.reason
            check(separate is WriteRefusal.SeparateConsentRequired) { "$separate" }
            assertEquals(setOf("ads", "live_location"), separate.purposes.toSet())
            assertEquals(Decision.Denied(DenyReason.NOT_GRANTED), kit.decide("ads", "device_id"), "nothing was granted")
            // A list of one separate-consent purpose is refused too: it is granted on its own, with grant().
            assertEquals(
                WriteResult.Refused(WriteRefusal.SeparateConsentRequired(listOf("ads"))),
                kit.grantAll(listOf("ads")),
            )
            assertEquals("purpose", assertThrows<ConsentKitException.UnknownId> { kit.mayTransfer("adnet", "telepathy") }.kind)
            assertEquals("third_party", assertThrows<ConsentKitException.UnknownId> { kit.mayTransfer("nobody", "ads") }.kind)
            // ride_hailing declares no children's rules.
            assertThrows<ConsentKitException.InvalidArgument> { kit.agreeToChildrenRules("1", Actor.GUARDIAN) }

            kit.setAgeBracket(AgeBracket.UNDER_14)
            assertEquals(WriteResult.Refused(WriteRefusal.GuardianRequired(14)), kit.grant("ads"))
            assertEquals(WriteResult.Recorded, kit.grant("ads", Actor.GUARDIAN))
            assertEquals(WriteResult.Refused(WriteRefusal.GuardianRequired(14)), kit.setAgeBracket(AgeBracket.ADULT))
            assertEquals(WriteResult.Recorded, kit.setAgeBracket(AgeBracket.ADULT, Actor.GUARDIAN))
        }
    }

    @Test
    fun `children's rules errors are typed`(): Unit = runBlocking {
        TestSupport.open("examples/map_navigation.json").use { kit ->
            assertEquals(WriteResult.Refused(WriteRefusal.GuardianRequired(14)), kit.agreeToChildrenRules("3.2", Actor.USER))
            assertEquals(
                WriteResult.Refused(WriteRefusal.StaleVersion(AgreedDocument.CHILDREN_RULES, "3.1", "3.2")),
                kit.agreeToChildrenRules("3.1", Actor.GUARDIAN),
            )
            assertEquals(WriteResult.Recorded, kit.agreeToChildrenRules("3.2", Actor.GUARDIAN))
        }
    }

    @Test
    fun `advancing the device clock is refused`(): Unit = runBlocking {
        TestSupport.open(options = ConsentKitOptions()).use { kit ->
            assertThrows<ConsentKitException.ClockNotManual> { kit.advanceClock(kotlin.time.Duration.parse("1s")) }
        }
    }

    @Test
    fun `storage and path errors are typed`(): Unit = runBlocking {
        val dir = TestSupport.tempDb().parent
        assertThrows<ConsentKitException.InvalidArgument> {
            ConsentKit.open(dir.absolutePathString(), TestSupport.read("examples/ride_hailing.json"))
        }
        assertThrows<ConsentKitException.Storage> {
            ConsentKit.open(dir.resolve("missing/dir/consent.db").absolutePathString(), TestSupport.read("examples/ride_hailing.json"))
        }
    }

    @Test
    fun `everything fails with Closed after close`() = runBlocking {
        val kit = TestSupport.open()
        kit.close()
        kit.close()
        assertThrows<ConsentKitException.Closed> { kit.decide("ride", "phone_number") }
        assertThrows<ConsentKitException.Closed> { kit.resolve("pickup") }
        assertThrows<ConsentKitException.Closed> { kit.collect("ride", "phone_number") }
        assertThrows<ConsentKitException.Closed> { kit.grant("ads") }
        assertThrows<ConsentKitException.Closed> { kit.status() }
        assertThrows<ConsentKitException.Closed> { kit.flush() }
        assertThrows<ConsentKitException.Closed> { kit.nextPrompt(PromptTrigger.AppStart) }
        assertThrows<ConsentKitException.Closed> { kit.mayTransfer("adnet", "ads") }
        assertThrows<ConsentKitException.Closed> { kit.agreeToChildrenRules("1", Actor.GUARDIAN) }
        assertThrows<ConsentKitException.Closed> { kit.decide("nope", "phone_number") }
        kit.onBackground()
    }
}
