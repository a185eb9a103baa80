package dev.consentkit

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.LongAdder
import kotlin.time.Duration.Companion.milliseconds

/**
 * 8 coroutines collect while another grants and withdraws: no exception, every answer is one the state allows,
 * and the access log (read back from the SQLite file with JDBC, not through ConsentKit) counts exactly the
 * collections that were allowed.
 */
class ConcurrentCollectTest {
    private data class Call(val purpose: String, val dataType: String, val recipient: String?, val possible: Set<Decision>)

    private val calls = listOf(
        Call("ride", "phone_number", null, setOf(Decision.Allowed)),
        Call("ride", "destination", null, setOf(Decision.Allowed)),
        Call("live_location", "trajectory", null, setOf(Decision.Allowed)),
        Call(
            "ads", "device_id", "adnet",
            setOf(Decision.Allowed, Decision.Denied(DenyReason.NOT_GRANTED), Decision.Denied(DenyReason.WITHDRAWN)),
        ),
        Call(
            "ads", "usage_history", null,
            setOf(Decision.Allowed, Decision.Denied(DenyReason.NOT_GRANTED), Decision.Denied(DenyReason.WITHDRAWN)),
        ),
        Call("ride", "payment_info", "adnet", setOf(Decision.Denied(DenyReason.RECIPIENT_NOT_DECLARED))),
        Call("ride", "location", null, setOf(Decision.Denied(DenyReason.NOT_DECLARED))),
    )

    @Test
    fun `concurrent collect while grants change is exact after flush`() = runBlocking {
        val db = TestSupport.tempDb()
        // Small batches and a short timer so that threshold and timer sends both race with the collectors.
        val options = ConsentKitOptions(
            manualClockStartMs = TestSupport.START_MS,
            collectBatchSize = 97,
            collectFlushInterval = 20.milliseconds,
        )
        val allowed = ConcurrentHashMap<String, LongAdder>()
        var limitedAllowed = 0L
        TestSupport.open(db = db, options = options).use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            kit.grant("live_location")
            val writing = AtomicBoolean(true)
            // On IO: the collectors below never suspend and occupy Dispatchers.Default's threads.
            val writer = launch(Dispatchers.IO) {
                repeat(60) { i -> if (i % 2 == 0) kit.grant("ads") else kit.withdraw("ads"); yield() }
                writing.set(false)
            }
            val workers = (0 until 8).map { w ->
                async(Dispatchers.Default) {
                    var limited = 0L
                    var i = w
                    while (writing.get() || i < 20_000) {
                        val call = calls[i % calls.size]
                        val result = kit.collect(call.purpose, call.dataType, call.recipient)
                        check(result in call.possible) { "$call answered $result" }
                        if (result == Decision.Allowed) {
                            allowed.computeIfAbsent("${call.purpose}/${call.dataType}/${call.recipient ?: ""}") { LongAdder() }.increment()
                        }
                        if (i % 50 == 0) {
                            // A frequency-limited pair: answered by the core, counted there.
                            val r = kit.collect("live_location", "location")
                            if (r == Decision.Allowed) limited++ else check((r as Decision.Denied).reason == DenyReason.FREQUENCY_LIMITED)
                        }
                        i++
                    }
                    limited
                }
            }
            limitedAllowed = workers.awaitAll().sum()
            writer.join()
            kit.flush()
            MirrorMatchesCoreTest.assertMirrorMatchesCore(kit, "after the concurrent run")
        }
        assertEquals(12L, limitedAllowed, "the manual clock never moves: exactly the limit of 12 per minute")
        val expected = allowed.mapValues { it.value.sum() } + ("live_location/location/" to limitedAllowed)
        val logged = TestSupport.accessLog(db)
        assertEquals(expected, logged)
        assertTrue(expected.getValue("ride/phone_number/") > 1000)
    }
}
