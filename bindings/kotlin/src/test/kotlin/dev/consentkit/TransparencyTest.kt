package dev.consentkit

import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.time.Duration.Companion.hours

/**
 * The transparency lists, receipts and the full export are reachable with native types: after agreeing, granting
 * and collecting, the lists show the real counts (including counts still pending in the facade) and the receipts
 * the grant; the JSON forms parse.
 */
class TransparencyTest {
    private fun agreedGrantedCollected(): ConsentKit = runBlocking {
        val kit = TestSupport.open(options = ConsentKitOptions(TestSupport.START_MS, collectFlushInterval = 1.hours))
        kit.agreeToPolicy(kit.state.value.policyVersion, source = "policy_sheet")
        kit.grant("ads", source = "offers_prompt")
        repeat(3) { assertEquals(Decision.Allowed, kit.collect("ride", "phone_number")) }
        repeat(2) { assertEquals(Decision.Allowed, kit.collect("ads", "device_id", "adnet")) }
        kit
    }

    @Test
    fun `the collection list counts every allowed collection, pending ones included`() = runBlocking {
        agreedGrantedCollected().use { kit ->
            val lists = kit.transparencyLists()
            val phone = lists.collection.single { it.purpose == "ride" && it.dataType == "phone_number" }
            assertEquals(3L, phone.count)
            assertEquals(TestSupport.START_MS, phone.lastCollectedMs)
            assertEquals("necessary", phone.basis)
            val deviceId = lists.collection.single { it.purpose == "ads" && it.dataType == "device_id" }
            assertEquals(2L, deviceId.count)
            assertEquals("consent", deviceId.basis)
            assertTrue(SeparateConsentReason.THIRD_PARTY in deviceId.separateConsent, "ads shares with adnet")
            val untouched = lists.collection.single { it.purpose == "ride" && it.dataType == "destination" }
            assertEquals(0L, untouched.count)
            assertNull(untouched.lastCollectedMs)
            val adnet = lists.sharing.single()
            assertEquals("adnet", adnet.recipient)
            assertEquals("Example Ads SDK", adnet.name)
            assertEquals(listOf("ads"), adnet.purposes)
            assertEquals("SG", adnet.region)
            assertEquals("privacy@adnet.example", adnet.contact)
            assertEquals(2L, adnet.count)
        }
    }

    @Test
    fun `the receipts show the policy agreement and the grant, and what became of them`() = runBlocking {
        agreedGrantedCollected().use { kit ->
            var receipts = kit.receipts()
            assertEquals(listOf(ReceiptEvent.POLICY_AGREED, ReceiptEvent.GRANTED), receipts.map { it.event })
            val grant = receipts.last()
            assertEquals(listOf("ads"), grant.purposes)
            assertEquals("offers_prompt", grant.source)
            assertEquals(Actor.USER, grant.actor)
            assertEquals(ReceiptState.GIVEN, grant.state)
            assertEquals("2026-11-01", grant.policyVersion)
            assertEquals(TestSupport.START_MS, grant.timestampMs)
            assertTrue(grant.id.startsWith("urn:uuid:"))
            assertTrue(!grant.definitionHashes["ads"].isNullOrEmpty(), "a grant records the definition seen")
            assertEquals("policy_sheet", receipts.first().source)

            kit.withdraw("ads")
            receipts = kit.receipts()
            assertEquals(ReceiptState.WITHDRAWN, receipts.single { it.event == ReceiptEvent.GRANTED }.state)
            assertEquals(grant.id, receipts.last().id, "receipt ids are stable")
        }
    }

    @Test
    fun `the JSON extras parse and carry the same facts`() = runBlocking {
        agreedGrantedCollected().use { kit ->
            val lists = Json.parseToJsonElement(kit.transparencyListsJson()).jsonObject
            val phone = lists["collection"]!!.jsonArray.map { it.jsonObject }
                .single { it["purpose"]!!.jsonPrimitive.content == "ride" && it["data_type"]!!.jsonPrimitive.content == "phone_number" }
            assertEquals("3", phone["count"]!!.jsonPrimitive.content)
            val receipts = Json.parseToJsonElement(kit.receiptsJson()).jsonObject
            assertEquals(2, receipts["receipts"]!!.jsonArray.size)
            val export = Json.parseToJsonElement(kit.exportAllJson()).jsonObject
            assertEquals("consentkit/export/v1", export["schema"]!!.jsonPrimitive.content)
            assertEquals(2, export["receipts"]!!.jsonObject["receipts"]!!.jsonArray.size)
            assertTrue(export["ledger"]!!.jsonArray.size >= 2)
        }
    }

    @Test
    fun `they fail with Closed after close`() {
        val kit = agreedGrantedCollected()
        kit.closeBlocking()
        assertThrows<ConsentKitException.Closed> { runBlocking { kit.transparencyLists() } }
        assertThrows<ConsentKitException.Closed> { runBlocking { kit.receipts() } }
        assertThrows<ConsentKitException.Closed> { runBlocking { kit.exportAllJson() } }
    }

    @Test
    fun `the JSON reader decodes escapes, numbers and nesting`() {
        val v = JsonReader.parse("""{"a":[1,-2.5e1,true,null],"s":"x\"\\\u00e9\n","o":{}}""") as Map<*, *>
        assertEquals(listOf(1L, -25.0, true, null), v["a"])
        assertEquals("x\"\\é\n", v["s"])
        assertEquals(emptyMap<String, Any?>(), v["o"])
        assertThrows<ConsentKitException.Unexpected> { JsonReader.parse("{\"a\":1,}") }
        assertThrows<ConsentKitException.Unexpected> { JsonReader.parse("[1] x") }
    }
}
