package dev.consentkit

import com.iabtcf.decoder.TCString
import com.iabtcf.utils.IntIterable
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.random.Random

/**
 * Checked against a decoder nobody here wrote: every TC string ConsentKit produces is decoded by IAB Tech Lab's Java
 * decoder (com.iabtcf:iabtcf-decoder) and every field is compared with ConsentKit's own decoding and with the
 * IABTCF_* keys written beside it (what each state should contain is the Rust tests' job: tests/frameworks_signals.rs).
 * The spec's published examples are compared the same way. Random manifests (GVL ids sparse and dense, so both vendor encodings occur; restrictions; CMP fields)
 * × random grant / withdraw / refuse steps give well over 1,000 distinct states.
 */
class IabTcfDecoderAgreementTest {
    private val base: JsonObject = Json.parseToJsonElement(TestSupport.read("examples/ride_hailing_global.json")).jsonObject

    private fun ints(i: IntIterable): List<Int> = i.toSet().sorted()
    private fun <T : Number> nums(l: List<T>): List<Int> = l.map { it.toInt() }.sorted()

    /** Every field the IAB decoder exposes, compared with ConsentKit's own decoding of the same string. */
    private fun assertAgree(text: String, ours: DecodedTcString) {
        val iab = TCString.decode(text)
        assertEquals(2, iab.version, text)
        assertEquals(ours.createdMs, iab.created.toEpochMilli(), text)
        assertEquals(ours.lastUpdatedMs, iab.lastUpdated.toEpochMilli(), text)
        assertEquals(ours.cmpId.toInt(), iab.cmpId, text)
        assertEquals(ours.cmpVersion.toInt(), iab.cmpVersion, text)
        assertEquals(ours.consentScreen.toInt(), iab.consentScreen, text)
        assertEquals(ours.consentLanguage, iab.consentLanguage, text)
        assertEquals(ours.vendorListVersion.toInt(), iab.vendorListVersion, text)
        assertEquals(ours.tcfPolicyVersion.toInt(), iab.tcfPolicyVersion, text)
        assertEquals(ours.isServiceSpecific, iab.isServiceSpecific, text)
        assertEquals(ours.useNonStandardTexts, iab.useNonStandardStacks, text)
        assertEquals(nums(ours.specialFeatureOptIns.map { it.toInt() }), ints(iab.specialFeatureOptIns), text)
        assertEquals(nums(ours.purposesConsent.map { it.toInt() }), ints(iab.purposesConsent), text)
        assertEquals(nums(ours.purposesLiTransparency.map { it.toInt() }), ints(iab.purposesLITransparency), text)
        assertEquals(ours.purposeOneTreatment, iab.purposeOneTreatment, text)
        assertEquals(ours.publisherCc, iab.publisherCC, text)
        assertEquals(nums(ours.vendorConsents.map { it.toInt() }), ints(iab.vendorConsent), text)
        assertEquals(nums(ours.vendorLegitimateInterests.map { it.toInt() }), ints(iab.vendorLegitimateInterest), text)
        assertEquals(
            ours.publisherRestrictions.map { Triple(it.purposeId.toInt(), it.restrictionType.toInt(), nums(it.vendors.map { v -> v.toInt() })) },
            iab.publisherRestrictions.map { Triple(it.purposeId, it.restrictionType.ordinal, ints(it.vendorIds)) },
            text,
        )
        assertEquals(nums(ours.disclosedVendors.map { it.toInt() }), ints(iab.disclosedVendors), text)
        assertEquals(nums(ours.publisherPurposesConsent.map { it.toInt() }), ints(iab.pubPurposesConsent), text)
        assertEquals(nums(ours.publisherPurposesLiTransparency.map { it.toInt() }), ints(iab.pubPurposesLITransparency), text)
        assertEquals(nums(ours.publisherCustomPurposesConsent.map { it.toInt() }), ints(iab.customPurposesConsent), text)
    }

    /** The binary-string keys say the same as the IAB decoder. */
    private fun assertKeysAgree(signals: FrameworkSignals) {
        val iab = TCString.decode(signals.tcString!!)
        val keys = signals.preferences.associate { it.key to (it.textValue ?: it.intValue.toString()) }
        fun bits(key: String) = keys.getValue(key).withIndex().filter { it.value == '1' }.map { it.index + 1 }
        assertEquals(ints(iab.vendorConsent), bits("IABTCF_VendorConsents"))
        assertEquals(ints(iab.vendorLegitimateInterest), bits("IABTCF_VendorLegitimateInterests"))
        assertEquals(ints(iab.disclosedVendors), bits("IABTCF_DisclosedVendors"))
        assertEquals(ints(iab.purposesConsent), bits("IABTCF_PurposeConsents"))
        assertEquals(ints(iab.purposesLITransparency), bits("IABTCF_PurposeLegitimateInterests"))
        assertEquals(ints(iab.specialFeatureOptIns), bits("IABTCF_SpecialFeaturesOptIns"))
        assertEquals(iab.cmpId.toString(), keys["IABTCF_CmpSdkID"])
        assertEquals(iab.tcfPolicyVersion.toString(), keys["IABTCF_PolicyVersion"])
        assertEquals(iab.publisherCC, keys["IABTCF_PublisherCC"])
        assertEquals(signals.tcString, keys["IABTCF_TCString"])
        for (r in iab.publisherRestrictions) {
            val s = keys.getValue("IABTCF_PublisherRestrictions${r.purposeId}")
            for (v in ints(r.vendorIds)) assertEquals(('0' + r.restrictionType.ordinal), s[v - 1])
        }
    }

    private fun arr(vararg xs: Int) = JsonArray(xs.map { JsonPrimitive(it) })
    private fun strs(xs: List<String>) = JsonArray(xs.map { JsonPrimitive(it) })

    /** A random variant of the global example: vendors, GVL ids, CMP fields and restrictions vary. */
    private fun randomManifest(rng: Random): String {
        val m = base.toMutableMap()
        val extra = List(rng.nextInt(0, 25)) { "v$it" }
        val dense = rng.nextBoolean()
        val ids = mutableSetOf<Int>()
        while (ids.size < extra.size + 2) ids += if (dense) rng.nextInt(1, 80) else rng.nextInt(1, 4000)
        val gvl = ids.shuffled(rng)
        val purposes = m.getValue("purposes").jsonArray.map { p ->
            val o = p.jsonObject
            if (o["id"] == JsonPrimitive("ads")) JsonObject(o + ("recipients" to strs(listOf("adnet") + extra))) else o
        }
        m["purposes"] = JsonArray(purposes)
        m["third_parties"] = JsonArray(m.getValue("third_parties").jsonArray + extra.map {
            JsonObject(mapOf("id" to JsonPrimitive(it), "name" to JsonPrimitive("Vendor $it"), "region" to JsonPrimitive("SG"),
                "contact" to JsonPrimitive("p@$it.example"), "init_requires" to strs(listOf("ads"))))
        })
        val adsTcf = listOf(1, 2, 3, 4).filter { it == 1 || rng.nextBoolean() }
        val li = listOf(2, 7, 8, 9, 10).filter { rng.nextInt(3) == 0 }
        val vendors = mutableListOf<JsonElement>(
            JsonObject(mapOf("third_party" to JsonPrimitive("adnet"), "gvl_id" to JsonPrimitive(gvl[0]),
                "purposes" to JsonArray(adsTcf.map { JsonPrimitive(it) }), "legitimate_interest_purposes" to JsonArray(li.map { JsonPrimitive(it) }),
                "special_purposes" to arr(1, 2))),
            JsonObject(mapOf("third_party" to JsonPrimitive("analytics_sdk"), "gvl_id" to JsonPrimitive(gvl[1]),
                "purposes" to arr(1, 8, 9), "special_purposes" to arr(1))),
        )
        extra.forEachIndexed { i, id ->
            vendors += JsonObject(mapOf("third_party" to JsonPrimitive(id), "gvl_id" to JsonPrimitive(gvl[i + 2]),
                "purposes" to JsonArray(adsTcf.map { JsonPrimitive(it) }), "special_purposes" to arr(rng.nextInt(1, 4))))
        }
        val allVendors = listOf("adnet") + extra
        val restrictions = (1..11).shuffled(rng).take(rng.nextInt(0, 4)).map { purpose ->
            JsonObject(mapOf("purpose" to JsonPrimitive(purpose),
                "type" to JsonPrimitive(listOf("not_allowed", "require_consent", "require_legitimate_interest")[rng.nextInt(3)]),
                "vendors" to strs(allVendors.shuffled(rng).take(rng.nextInt(1, allVendors.size + 1)))))
        }
        val letters = { String(CharArray(2) { 'A' + rng.nextInt(26) }) }
        val frameworks = m.getValue("frameworks").jsonObject.toMutableMap()
        val tcf = frameworks.getValue("tcf").jsonObject.toMutableMap()
        tcf["cmp_id"] = JsonPrimitive(rng.nextInt(1, 4096))
        tcf["cmp_version"] = JsonPrimitive(rng.nextInt(0, 4096))
        tcf["consent_screen"] = JsonPrimitive(rng.nextInt(0, 64))
        tcf["consent_language"] = JsonPrimitive(letters())
        tcf["vendor_list_version"] = JsonPrimitive(rng.nextInt(1, 4096))
        tcf["policy_version"] = JsonPrimitive(rng.nextInt(4, 6))
        tcf["publisher_cc"] = JsonPrimitive(letters())
        tcf["purpose_one_treatment"] = JsonPrimitive(rng.nextInt(5) == 0)
        tcf["use_non_standard_texts"] = JsonPrimitive(rng.nextBoolean())
        tcf["purposes"] = JsonObject(mapOf("ads" to JsonArray((adsTcf + li).distinct().map { JsonPrimitive(it) }), "analytics" to arr(1, 8, 9)))
        tcf["special_features"] = JsonObject(if (rng.nextBoolean()) mapOf("live_location" to arr(1)) else emptyMap())
        tcf["vendors"] = JsonArray(vendors)
        tcf["restrictions"] = JsonArray(restrictions)
        tcf["publisher"] = JsonObject(mapOf("purposes" to JsonObject(mapOf("analytics" to arr(1, 9))),
            "custom_purposes" to strs(listOf("analytics", "ads").take(rng.nextInt(0, 3)))))
        frameworks["tcf"] = JsonObject(tcf)
        m["frameworks"] = JsonObject(frameworks)
        return JsonObject(m).toString()
    }

    @Test
    fun `the IAB decoder agrees on every field of at least 1000 random states`() = runBlocking {
        val rng = Random(20_261_130)
        val seen = HashSet<String>()
        var states = 0
        var manifests = 0
        while (seen.size < 1_000 && manifests < 400) {
            val db = TestSupport.tempDb()
            ConsentKit.open(db.toString(), randomManifest(rng), ConsentKitOptions(manualClockStartMs = TestSupport.START_MS)).use { kit ->
                manifests++
                val purposes = listOf("ads", "analytics", "live_location")
                repeat(30) { step ->
                    when (if (step == 0) 0 else rng.nextInt(6)) {
                        0 -> kit.agreeToPolicy(kit.state.value.policyVersion)
                        1, 2 -> kit.grant(purposes[rng.nextInt(2)])
                        3 -> runCatching { kit.withdraw(purposes[rng.nextInt(2)]) }
                        4 -> kit.advanceClock(kotlin.time.Duration.parse("${rng.nextInt(1, 400)}h"))
                        else -> runCatching { kit.refuse(purposes[rng.nextInt(2)]) }
                    }
                    val signals = kit.frameworkSignals()
                    val text = signals.tcString!!
                    assertAgree(text, IabStrings.decodeTcString(text))
                    assertKeysAgree(signals)
                    // The GPP string's section 2 is the same TC string, which the IAB decoder reads too.
                    assertAgree(text, IabStrings.decodeGppString(signals.gppString!!).tcfEuV2!!)
                    seen += text
                    states++
                }
            }
        }
        println("IAB decoder agreement: $states states ($manifests random manifests, ${seen.size} distinct TC strings), every field equal")
        assertTrue(seen.size >= 1_000, "distinct TC strings: ${seen.size}")
    }

    @Test
    fun `the IAB GPP library reads ConsentKit's GPP header and TCF section alike`() = runBlocking {
        val rng = Random(7_2026)
        var states = 0
        repeat(10) {
            ConsentKit.open(TestSupport.tempDb().toString(), randomManifest(rng), ConsentKitOptions(manualClockStartMs = TestSupport.START_MS)).use { kit ->
                kit.agreeToPolicy(kit.state.value.policyVersion)
                repeat(30) {
                    if (rng.nextBoolean()) kit.grant(listOf("ads", "analytics")[rng.nextInt(2)]) else runCatching { kit.withdraw(listOf("ads", "analytics")[rng.nextInt(2)]) }
                    val signals = kit.frameworkSignals()
                    val gpp = com.iab.gpp.encoder.GppModel(signals.gppString!!)
                    assertEquals(listOf(2, 7), gpp.sectionIds)
                    val theirs = gpp.tcfEuV2Section
                    val ours = IabStrings.decodeTcString(signals.tcString!!)
                    assertEquals(ours.cmpId.toInt(), theirs.cmpId)
                    assertEquals(ours.cmpVersion.toInt(), theirs.cmpVersion)
                    assertEquals(ours.vendorListVersion.toInt(), theirs.vendorListVersion)
                    assertEquals(ours.tcfPolicyVersion.toInt(), theirs.policyVersion)
                    assertEquals(ours.publisherCc, theirs.publisherCountryCode)
                    assertEquals(ours.purposesConsent.map { it.toInt() }.sorted(), theirs.purposeConsents.withIndex().filter { it.value }.map { it.index + 1 })
                    assertEquals(ours.vendorConsents.map { it.toInt() }.sorted(), theirs.vendorConsents.sorted())
                    assertEquals(ours.vendorLegitimateInterests.map { it.toInt() }.sorted(), theirs.vendorLegitimateInterests.sorted())
                    states++
                }
            }
        }
        println("IAB GPP library agreement: $states GPP strings (header section ids and TCF EU section fields)")
    }

    @Test
    fun `the IAB decoder and ConsentKit read the spec examples alike`() {
        val examples = listOf(
            "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA",
            "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA",
            "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA",
            "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw",
        )
        for (text in examples) assertAgree(text, IabStrings.decodeTcString(text))
        println("IAB decoder agreement: ${examples.size} spec examples, every field equal")
    }
}
