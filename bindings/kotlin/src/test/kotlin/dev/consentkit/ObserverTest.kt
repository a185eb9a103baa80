package dev.consentkit

import dev.consentkit.internal.ConsentObserver
import dev.consentkit.internal.ConsentStatus
import dev.consentkit.internal.ObserverException
import dev.consentkit.internal.RecoveryInfo
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertDoesNotThrow
import java.util.concurrent.atomic.AtomicInteger

/** Observers never break the core: a throwing foreign observer is ignored, and the facade's own never throws. */
class ObserverTest {
    private class Throwing(private val typed: Boolean) : ConsentObserver {
        val calls = AtomicInteger()
        override fun onChange(status: ConsentStatus) {
            calls.incrementAndGet()
            if (typed) throw ObserverException.Failed("declared failure") else throw IllegalStateException("boom")
        }

        override fun onRecovery(event: RecoveryInfo) = throw IllegalStateException("boom")
    }

    @Test
    fun `a throwing observer does not break the core or the facade`() = runBlocking {
        TestSupport.open().use { kit ->
            val untyped = Throwing(typed = false)
            val typed = Throwing(typed = true)
            kit.core.addObserver(untyped)
            kit.core.addObserver(typed)
            assertEquals(1, untyped.calls.get(), "called at once with the current state")

            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            kit.withdraw("ads")
            kit.grant("ads")

            assertEquals(5, untyped.calls.get())
            assertEquals(5, typed.calls.get())
            assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
            assertTrue(kit.state.value.purpose("ads")!!.allowed)
            assertEquals(kit.status(), kit.state.value)
            assertNull(kit.stateObserver.lastFailure)
        }
    }

    @Test
    fun `the facade observer never throws, even on a table it cannot use`() = runBlocking {
        TestSupport.open().use { kit ->
            val good = kit.core.status()
            val bad = good.copy(version = good.version + 100u, decisions = good.decisions.copy(version = good.version + 100u, width = 999u))
            assertDoesNotThrow { kit.stateObserver.onChange(bad) }
            assertNotNull(kit.stateObserver.lastFailure)
            assertEquals(good.version.toLong(), kit.mirrorVersion, "the unusable table was not installed")
            assertDoesNotThrow { kit.stateObserver.onRecovery(RecoveryInfo(dev.consentkit.internal.RecoveryReason.CORRUPT, "", "", 0)) }
            // The facade keeps working.
            kit.agreeToPolicy(kit.state.value.policyVersion)
            assertEquals(Decision.Allowed, kit.decide("ride", "phone_number"))
        }
    }
}
