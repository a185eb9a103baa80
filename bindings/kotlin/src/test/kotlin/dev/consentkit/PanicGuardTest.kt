package dev.consentkit

import dev.consentkit.TestSupport.armTestPanic
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * A panic inside the core (armed with the test-only hook of the `test-hooks` build) comes back as
 * [ConsentKitException.Unexpected] in each kind of call that reaches the core — a write, a prompt, a query, a
 * frequency-limited collect — never a crash, and the instance keeps working afterwards.
 */
class PanicGuardTest {
    @Test
    fun `a panic inside the core is a typed error in each kind of call`() = runBlocking {
        val kit = TestSupport.open()
        armTestPanic()
        assertThrows<ConsentKitException.Unexpected> { runBlocking { kit.agreeToPolicy("2026-11-01") } }
        assertFalse(kit.status().policyAgreed, "the call that failed wrote nothing")
        kit.agreeToPolicy("2026-11-01")
        kit.grant("live_location")
        armTestPanic()
        assertThrows<ConsentKitException.Unexpected> { runBlocking { kit.nextPrompt(PromptTrigger.AppStart) } }
        armTestPanic()
        assertThrows<ConsentKitException.Unexpected> { kit.filing() }
        armTestPanic()
        assertThrows<ConsentKitException.Unexpected> { kit.collect("live_location", "location") }
        // Still working.
        assertEquals(Decision.Allowed, kit.collect("live_location", "location"))
        assertTrue(kit.status().policyAgreed)
        kit.close()
    }
}
