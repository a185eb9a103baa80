package dev.consentkit

import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.longOrNull
import java.nio.file.Path
import kotlin.io.path.absolutePathString
import kotlin.io.path.readText
import kotlin.time.Duration.Companion.milliseconds

/**
 * Runs one scenario file of tests/scenarios through the Kotlin facade, with the same ops and the same comparison as
 * the Rust reference runner (tests/scenarios.rs): a step's `expect` must be contained in the observed value
 * (objects compare only the keys the scenario names), `expect_error` must name the error.
 *
 * @param afterStep called with the open instance after every step (the mirror-vs-core check hooks in here).
 */
internal class ScenarioRunner(
    private val file: Path,
    private val afterStep: (ConsentKit) -> Unit = {},
) {
    private val scenario = Json.parseToJsonElement(file.readText()).jsonObject
    private var manifest = TestSupport.read(scenario.string("manifest"))
    private var now = scenario["start_ms"]?.jsonPrimitive?.longOrNull ?: TestSupport.START_MS
    private val db = TestSupport.tempDb()
    private lateinit var kit: ConsentKit

    /** The observed value of a step, or the name of the error it raised. */
    private sealed class Outcome {
        data class Value(val json: JsonElement) : Outcome()
        data class Error(val name: String) : Outcome()
    }

    /** Runs every step; returns how many ran. Fails with the step and both values on the first mismatch. */
    fun run(): Int = runBlocking {
        open()
        val steps = scenario["steps"]!!.jsonArray
        try {
            steps.forEachIndexed { i, element ->
                val st = element.jsonObject
                val ctx = "${file.fileName} step $i: $st"
                val outcome = try {
                    Outcome.Value(step(st))
                } catch (e: ConsentKitException) {
                    Outcome.Error(TestSupport.errorName(e))
                } catch (e: RefusedStep) {
                    Outcome.Error(e.name)
                }
                val wantError = st["expect_error"]?.jsonPrimitive?.content
                when {
                    outcome is Outcome.Error && wantError != null -> check(wantError == outcome.name) {
                        "$ctx: expected error $wantError, got ${outcome.name}"
                    }
                    outcome is Outcome.Error -> error("$ctx: unexpected error ${outcome.name}")
                    wantError != null -> error("$ctx: expected error $wantError, got ${(outcome as Outcome.Value).json}")
                    else -> st["expect"]?.let { want ->
                        val got = (outcome as Outcome.Value).json
                        check(matches(want, got)) { "$ctx\n  expected $want\n  got      $got" }
                    }
                }
                afterStep(kit)
            }
        } finally {
            runCatching { kit.closeBlocking() }
        }
        steps.size
    }

    private fun open() {
        kit = ConsentKit.openBlocking(db.absolutePathString(), manifest, ConsentKitOptions(manualClockStartMs = now))
    }

    private fun actor(st: JsonObject) = if (st["actor"]?.jsonPrimitive?.content == "guardian") Actor.GUARDIAN else Actor.USER

    private suspend fun step(st: JsonObject): JsonElement {
        val source = "scenario"
        return when (val op = st.string("op")) {
            "agree_policy" -> written {
                kit.agreeToPolicy(st["version"]?.jsonPrimitive?.content ?: kit.status().policyVersion, actor(st), source)
            }
            "decline_policy" -> unit { kit.declinePolicy(source) }
            "agree_children_rules" -> written { kit.agreeToChildrenRules(st.string("version"), actor(st), source) }
            "erase_all" -> unit { kit.eraseAll(actor(st), source) }
            "grant" -> written { kit.grant(st.string("purpose"), actor(st), source) }
            "grant_all" -> written { kit.grantAll(st["purposes"]!!.jsonArray.map { it.jsonPrimitive.content }, actor(st), source) }
            "refuse" -> unit { kit.refuse(st.string("purpose"), actor(st), source) }
            "withdraw" -> unit { kit.withdraw(st.string("purpose"), actor(st), source) }
            "set_age" -> written {
                val bracket = when (st.string("bracket")) {
                    "under14" -> AgeBracket.UNDER_14
                    "teen" -> AgeBracket.TEEN
                    "adult" -> AgeBracket.ADULT
                    else -> AgeBracket.UNKNOWN
                }
                kit.setAgeBracket(bracket, actor(st), source)
            }
            "advance" -> unit {
                val ms = st.long("ms") + st.long("seconds") * 1_000 + st.long("hours") * 3_600_000
                now += ms
                kit.advanceClock(ms.milliseconds)
            }
            "decide" -> JsonPrimitive(TestSupport.decisionName(kit.decide(st.string("purpose"), st.string("data_type"))))
            "collect" -> {
                val times = st.long("times").takeIf { it > 0 } ?: 1
                var last: JsonElement = JsonNull
                repeat(times.toInt()) {
                    last = when (val r = kit.collect(st.string("purpose"), st.string("data_type"), st["recipient"]?.jsonPrimitive?.contentOrNull)) {
                        Decision.Allowed -> JsonObject(mapOf("result" to JsonPrimitive("allowed")))
                        is Decision.Denied -> JsonObject(
                            mapOf(
                                "result" to JsonPrimitive("denied:${TestSupport.reasonName(r.reason)}"),
                                "retry_after_ms" to JsonPrimitive(r.retryAfter?.inWholeMilliseconds),
                            ),
                        )
                    }
                }
                last
            }
            "resolve" -> kit.resolve(st.string("feature")).let { t ->
                JsonObject(
                    mapOf(
                        "tier" to JsonPrimitive(t.id),
                        "missing" to JsonArray(t.missingPurposes.map(::JsonPrimitive)),
                        "can_ask_now" to JsonPrimitive(t.canAskNow),
                        "is_basic" to JsonPrimitive(t.isBasic),
                    ),
                )
            }
            "may_transfer" -> JsonPrimitive(kit.mayTransfer(st.string("recipient"), st.string("purpose")))
            "may_initialize" -> JsonPrimitive(kit.mayInitialize(st.string("third_party")))
            "next_prompt" -> {
                val trigger = when (val t = st["trigger"]) {
                    is JsonPrimitive -> if (t.content == "app_start") PromptTrigger.AppStart else error("unknown trigger $t")
                    is JsonObject -> when {
                        "feature" in t -> PromptTrigger.Feature(t.string("feature"))
                        "settings" in t -> PromptTrigger.Settings(t.string("settings"))
                        else -> error("unknown trigger $t")
                    }
                    else -> error("unknown trigger $t")
                }
                kit.nextPrompt(trigger)?.let { p ->
                    // The scenario files speak the core's flat shape; the sealed prompt maps onto it.
                    val purpose = (p as? Prompt.Purpose)?.purpose
                    val rules = when (p) {
                        is Prompt.Policy -> p.childrenRules
                        is Prompt.ChildrenRulesAgreement -> p.rules
                        is Prompt.Purpose -> null
                    }
                    JsonObject(
                        mapOf(
                            "kind" to JsonPrimitive(p.kind.name.lowercase()),
                            "purpose" to JsonPrimitive(purpose?.id),
                            "separate" to JsonPrimitive(purpose?.let { it.separateConsent.isNotEmpty() }),
                            "cross_border" to JsonPrimitive(purpose?.crossBorder),
                            "children_rules" to JsonPrimitive(rules?.version),
                        ),
                    )
                } ?: JsonNull
            }
            "status" -> kit.status().let { s ->
                JsonObject(
                    mapOf(
                        "policy_agreed" to JsonPrimitive(s.policyAgreed),
                        "allowed" to JsonArray(s.purposes.filter { it.allowed }.map { JsonPrimitive(it.id) }),
                        "recovered" to JsonPrimitive(s.recovery != null),
                    ),
                )
            }
            "flush" -> unit { kit.flush() }
            "reopen" -> unit {
                kit.close()
                st["manifest"]?.jsonPrimitive?.contentOrNull?.let { manifest = TestSupport.read(it) }
                open()
            }
            else -> error("unknown op $op")
        }
    }

    private inline fun unit(block: () -> Unit): JsonElement {
        block()
        return JsonNull
    }

    /** A write that returns [WriteResult]: a refusal is the scenario's expected error (the core's error name). */
    private inline fun written(block: () -> WriteResult): JsonElement = when (val r = block()) {
        WriteResult.Recorded -> JsonNull
        is WriteResult.Refused -> throw RefusedStep(TestSupport.refusalName(r.reason))
    }

    /** A step the core refused for an expected reason, named as the scenario files name the core's error. */
    private class RefusedStep(val name: String) : Exception(name)

    companion object {
        /** `expected` ⊆ `actual`: objects compare only the keys `expected` names; everything else must be equal. */
        fun matches(expected: JsonElement, actual: JsonElement): Boolean =
            if (expected is JsonObject && actual is JsonObject) {
                expected.all { (k, v) -> actual[k]?.let { matches(v, it) } ?: false }
            } else {
                expected == actual
            }

        private fun JsonObject.string(key: String): String =
            this[key]?.jsonPrimitive?.contentOrNull ?: error("step needs \"$key\": $this")

        private fun JsonObject.long(key: String): Long = this[key]?.jsonPrimitive?.longOrNull ?: 0
    }
}
