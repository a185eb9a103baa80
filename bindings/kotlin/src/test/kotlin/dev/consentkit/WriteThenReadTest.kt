package dev.consentkit

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import kotlin.time.Duration.Companion.hours

/** A write returns only after the mirror reflects it: `grant(); decide()` never sees the old answer. */
class WriteThenReadTest {
    @Test
    fun `decide right after a write sees the write`() = runBlocking {
        TestSupport.open().use { kit ->
            assertEquals(Decision.Denied(DenyReason.POLICY_NOT_AGREED), kit.decide("ride", "phone_number"))
            kit.agreeToPolicy(kit.state.value.policyVersion)
            assertEquals(Decision.Allowed, kit.decide("ride", "phone_number"))
            repeat(25) {
                kit.grant("ads")
                assertEquals(Decision.Allowed, kit.decide("ads", "device_id"))
                assertEquals("personalised", kit.resolve("offers").id)
                assertEquals(Decision.Allowed, kit.collect("ads", "device_id", "adnet"))
                kit.withdraw("ads")
                assertEquals(Decision.Denied(DenyReason.WITHDRAWN), kit.decide("ads", "device_id"))
                assertEquals(listOf("ads"), kit.resolve("offers").missingPurposes)
                assertEquals(Decision.Denied(DenyReason.WITHDRAWN), kit.collect("ads", "device_id", "adnet"))
            }
        }
    }

    @Test
    fun `a read on another thread after the write completes sees it`() = runBlocking {
        TestSupport.open().use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            repeat(10) { i ->
                val granted = i % 2 == 0
                val write = async(Dispatchers.Default) { if (granted) kit.grant("ads") else kit.withdraw("ads") }
                write.await()
                val seen = async(Dispatchers.Default) { kit.decide("ads", "device_id").isAllowed }.await()
                assertEquals(granted, seen)
            }
        }
    }

    @Test
    fun `a cooldown ending is picked up by the mirror`() = runBlocking {
        TestSupport.open().use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.refuse("live_location")
            assertEquals(false, kit.resolve("pickup").canAskNow)
            kit.advanceClock(47.hours)
            assertEquals(false, kit.resolve("pickup").canAskNow)
            kit.advanceClock(1.hours)
            assertEquals(true, kit.resolve("pickup").canAskNow)
            assertEquals(true, kit.state.value.feature("pickup")!!.canAskNow)
        }
    }
}
