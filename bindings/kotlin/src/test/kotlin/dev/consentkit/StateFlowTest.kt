package dev.consentkit

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.Collections

/** `state` starts with the state at open and emits after each change. */
class StateFlowTest {
    @Test
    fun `state emits after grant and withdraw`() = runBlocking {
        TestSupport.open().use { kit ->
            val seen = Collections.synchronizedList(mutableListOf<ConsentState>())
            val collector = launch(Dispatchers.Default) { kit.state.toList(seen) }
            assertFalse(kit.state.value.policyAgreed)

            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("ads")
            withTimeout(5_000) { kit.state.first { it.purpose("ads")!!.allowed } }
            assertEquals("personalised", kit.state.value.feature("offers")!!.id)

            kit.withdraw("ads")
            withTimeout(5_000) { kit.state.first { it.purpose("ads")!!.reason == DenyReason.WITHDRAWN } }
            assertEquals("generic", kit.state.value.feature("offers")!!.id)

            withTimeout(5_000) { while (seen.lastOrNull()?.version != kit.state.value.version) kotlinx.coroutines.delay(5) }
            collector.cancel()
            val versions = seen.map { it.version }
            assertEquals(versions.sorted(), versions, "versions only increase")
            assertTrue(seen.any { it.purpose("ads")!!.allowed }, "a state with ads granted was emitted")
            assertEquals(DenyReason.WITHDRAWN, seen.last().purpose("ads")!!.reason)
        }
    }

    @Test
    fun `state after a write is the core's state`() = runBlocking {
        TestSupport.open().use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.refuse("live_location")
            assertEquals(kit.status(), kit.state.value)
            assertEquals("typed_address", kit.state.value.feature("pickup")!!.id)
            assertFalse(kit.state.value.feature("pickup")!!.canAskNow)
        }
    }
}
