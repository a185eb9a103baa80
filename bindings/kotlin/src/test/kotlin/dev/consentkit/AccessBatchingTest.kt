package dev.consentkit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Path
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Allowed collections are counted locally and handed to the core on a batch threshold, on the timer, on flush(),
 * on onBackground() and on close(); frequency-limited ones are counted by the core itself. While open we watch
 * what the facade handed over; after close the access log is read back from the SQLite file with JDBC.
 */
class AccessBatchingTest {
    private val phone = "ride/phone_number/"

    private fun openAgreed(options: ConsentKitOptions): Pair<ConsentKit, Path> = runBlocking {
        val db = TestSupport.tempDb()
        val kit = TestSupport.open(db = db, options = options)
        kit.agreeToPolicy(kit.state.value.policyVersion)
        kit to db
    }

    private fun logAfterClose(kit: ConsentKit, db: Path): Map<String, Long> {
        kit.closeBlocking()
        return TestSupport.accessLog(db)
    }

    @Test
    fun `a full batch is handed over without a flush`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectBatchSize = 10, collectFlushInterval = 1.hours))
        repeat(25) { assertEquals(Decision.Allowed, kit.collect("ride", "phone_number")) }
        assertTrue(TestSupport.eventually { kit.collectionsSent >= 10 }, "batch sent")
        assertEquals(mapOf(phone to 25L), logAfterClose(kit, db))
    }

    @Test
    fun `the timer hands over pending counts`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectFlushInterval = 50.milliseconds))
        repeat(5) { kit.collect("ride", "phone_number") }
        assertTrue(TestSupport.eventually { kit.collectionsSent == 5L }, "timer send")
        assertEquals(mapOf(phone to 5L), logAfterClose(kit, db))
    }

    @Test
    fun `the flush timer is armed only while counts are pending`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectFlushInterval = 300.milliseconds))
        assertFalse(kit.flushTimerArmed, "nothing pending after open: no timer")
        Thread.sleep(400)
        assertEquals(0L, kit.collectionsSent)
        val start = System.nanoTime()
        repeat(4) { kit.collect("ride", "phone_number") }
        assertTrue(kit.flushTimerArmed, "a pending count arms the timer")
        assertTrue(TestSupport.eventually { kit.collectionsSent == 4L }, "the timer sends")
        val waitedMs = (System.nanoTime() - start) / 1_000_000
        assertTrue(waitedMs >= 250, "sent after the interval, not before (${waitedMs} ms)")
        assertTrue(TestSupport.eventually { !kit.flushTimerArmed }, "disarmed once sent")
        // A full batch sent early disarms it too; the next count arms it again.
        kit.collect("ride", "phone_number")
        assertTrue(kit.flushTimerArmed)
        runBlocking { kit.flush() }
        assertFalse(kit.flushTimerArmed, "flush sent everything: no timer")
        assertEquals(mapOf(phone to 5L), logAfterClose(kit, db))
    }

    @Test
    fun `a batch send keeps the timer only while counts are pending`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectBatchSize = 10, collectFlushInterval = 1.hours))
        repeat(10) { kit.collect("ride", "phone_number") }
        assertTrue(TestSupport.eventually { kit.collectionsSent == 10L }, "batch sent")
        assertTrue(TestSupport.eventually { !kit.flushTimerArmed }, "nothing pending after the batch: no timer")
        kit.collect("ride", "phone_number")
        assertTrue(kit.flushTimerArmed, "a pending count arms the timer")
        assertEquals(mapOf(phone to 11L), logAfterClose(kit, db))
    }

    @Test
    fun `counts of the first collecting thread and of other threads are written exactly on close`() {
        // The first thread to collect counts without atomics (the home thread); the others in shared cells. Small
        // batches and a short timer, so that batch and timer sends race with both.
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectBatchSize = 61, collectFlushInterval = 2.milliseconds))
        val types = listOf("phone_number", "destination", "payment_info")
        val start = java.util.concurrent.CountDownLatch(1)
        val others = (1..3).map { t ->
            kotlin.concurrent.thread {
                start.await()
                repeat(30_000) { i -> kit.collect("ride", types[(i + t) % types.size]) }
            }
        }
        kit.collect("ride", "phone_number")
        start.countDown()
        repeat(30_000) { i -> kit.collect("ride", types[i % types.size]) }
        others.forEach { it.join() }
        assertEquals(
            mapOf("ride/phone_number/" to 40_001L, "ride/destination/" to 40_000L, "ride/payment_info/" to 40_000L),
            logAfterClose(kit, db),
        )
    }

    @Test
    fun `onBackground hands over and writes pending counts`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectFlushInterval = 1.hours))
        runBlocking { kit.grant("ads") }
        repeat(7) { kit.collect("ride", "phone_number") }
        repeat(3) { kit.collect("ads", "device_id", "adnet") }
        assertEquals(0L, kit.collectionsSent)
        kit.onBackground()
        runBlocking { kit.lastBackgroundFlush!!.join() }
        // Collections with a recipient are answered, and counted, by the core (as on Swift): only the 7 are handed over.
        assertEquals(7L, kit.collectionsSent)
        assertEquals(mapOf(phone to 7L, "ads/device_id/adnet" to 3L), logAfterClose(kit, db))
    }

    @Test
    fun `close writes pending counts`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectFlushInterval = 1.hours))
        runBlocking { kit.grant("ads") }
        repeat(3) { kit.collect("ride", "phone_number") }
        repeat(4) { kit.collect("ads", "device_id", "adnet") }
        assertEquals(mapOf(phone to 3L, "ads/device_id/adnet" to 4L), logAfterClose(kit, db))
    }

    @Test
    fun `frequency limits are enforced by the core with a retry time`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS))
        runBlocking { kit.grant("live_location") }
        repeat(12) { assertEquals(Decision.Allowed, kit.collect("live_location", "location")) }
        assertEquals(Decision.Denied(DenyReason.FREQUENCY_LIMITED, 60.seconds), kit.collect("live_location", "location"))
        val result = kit.withConsent("live_location", "location") { error("must not run") }
        assertEquals(Decision.Denied(DenyReason.FREQUENCY_LIMITED, 60.seconds), result)
        runBlocking { kit.advanceClock(30.seconds) }
        assertEquals(Decision.Denied(DenyReason.FREQUENCY_LIMITED, 30.seconds), kit.collect("live_location", "location"))
        assertEquals(0L, kit.collectionsSent, "limited pairs are counted by the core, not the facade")
        assertEquals(mapOf("live_location/location/" to 12L), logAfterClose(kit, db))
    }

    @Test
    fun `withConsent runs the block only when allowed`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS))
        var ran = 0
        assertEquals(ConsentResult.Allowed("fix"), kit.withConsent("ride", "destination") { ran++; "fix" })
        assertEquals(Decision.Denied(DenyReason.NOT_GRANTED), kit.withConsent("ads", "device_id", "adnet") { ran++ })
        assertEquals(1, ran)
        assertEquals(mapOf("ride/destination/" to 1L), logAfterClose(kit, db))
    }

    @Test
    fun `a recipient not declared for the purpose is denied`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS))
        repeat(3) {
            assertEquals(Decision.Denied(DenyReason.RECIPIENT_NOT_DECLARED), kit.collect("ride", "phone_number", "adnet"))
        }
        runBlocking { kit.grant("ads") }
        repeat(3) { assertEquals(Decision.Allowed, kit.collect("ads", "device_id", "adnet")) }
        assertEquals(mapOf("ads/device_id/adnet" to 3L), logAfterClose(kit, db))
    }

    @Test
    fun `eraseAll drops pending counts and the log`() {
        val (kit, db) = openAgreed(ConsentKitOptions(TestSupport.START_MS, collectFlushInterval = 1.hours))
        repeat(5) { kit.collect("ride", "phone_number") }
        runBlocking { kit.flush() }
        repeat(5) { kit.collect("ride", "phone_number") }
        runBlocking { kit.eraseAll() }
        assertEquals(emptyMap<String, Long>(), logAfterClose(kit, db))
    }
}
