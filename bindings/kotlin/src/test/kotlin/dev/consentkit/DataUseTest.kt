package dev.consentkit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** A resolved [DataUse] answers exactly like the two ids, and stays correct on another instance and after close. */
class DataUseTest {
    @Test
    fun `a DataUse answers like its ids`() = runBlocking {
        val db = TestSupport.tempDb()
        TestSupport.open(db = db).use { kit ->
            val ids = kit.core.handles()
            val uses = ids.purposes.flatMap { p -> ids.dataTypes.map { d -> kit.dataUse(p, d) } }
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            for (use in uses) assertEquals(kit.decide(use.purpose, use.dataType), kit.decide(use), use.toString())
            val location = kit.dataUse("live_location", "location")
            assertEquals(Decision.Denied(DenyReason.NOT_GRANTED), kit.collect(location))
            kit.grant("live_location")
            repeat(12) { assertEquals(Decision.Allowed, kit.collect(location)) }
            assertEquals(DenyReason.FREQUENCY_LIMITED, (kit.collect(location) as Decision.Denied).reason)
            assertEquals(Decision.Allowed, kit.collect(kit.dataUse("ride", "phone_number")))
            assertThrows<ConsentKitException.UnknownId> { kit.dataUse("ride", "aura") }

            // A DataUse of another instance is looked up again by its ids.
            TestSupport.open("examples/news.json").use { other ->
                assertThrows<ConsentKitException.UnknownId> { other.decide(location) }
            }
        }
        val kit = TestSupport.open(db = db)
        val use = kit.dataUse("ride", "phone_number")
        kit.close()
        assertThrows<ConsentKitException.Closed> { kit.decide(use) }
        assertThrows<ConsentKitException.Closed> { kit.collect(use) }
        Unit
    }
}
