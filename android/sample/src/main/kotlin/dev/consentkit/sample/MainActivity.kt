package dev.consentkit.sample

import android.app.AlertDialog
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import androidx.activity.ComponentActivity
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import dev.consentkit.ConsentKit
import dev.consentkit.Decision
import dev.consentkit.Prompt
import dev.consentkit.PromptTrigger
import dev.consentkit.Tier
import dev.consentkit.WriteResult
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlin.coroutines.resume
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * The pickup screen of a ride-hailing app. ConsentKit decides which tier of the "pickup" feature to offer:
 * "live_location" (the map follows the rider) when the live_location purpose is granted, "typed_address" when the
 * user refused it — the ride still books. Before the policy is agreed, nothing is offered.
 */
class MainActivity : ComponentActivity() {
    private lateinit var tierLabel: TextView
    private lateinit var live: TextView
    private lateinit var typedAddress: EditText
    private lateinit var enableLocation: Button
    private lateinit var filing: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(buildLayout())
        lifecycleScope.launch {
            val kit = (application as SampleApp).kit.await()
            kit.filing()?.let { filing.text = "${it.number}  ${it.url}" }
            enableLocation.setOnClickListener {
                // From a settings entry the cooldown after a refusal does not apply.
                lifecycleScope.launch { ask(kit, PromptTrigger.Settings("live_location")) }
            }
            // Policy first (at app start), then the just-in-time prompt of the feature being opened.
            ask(kit, PromptTrigger.AppStart)
            ask(kit, PromptTrigger.Feature("pickup"))
            repeatOnLifecycle(Lifecycle.State.STARTED) {
                launch { kit.state.collect { render(kit.resolve("pickup")) } }
                launch { followLocation(kit) }
            }
        }
    }

    /** Shows what ConsentKit says to ask for [trigger], and records the answer. */
    private suspend fun ask(kit: ConsentKit, trigger: PromptTrigger) {
        val prompt = kit.nextPrompt(trigger) ?: return
        val agreed = showPrompt(prompt)
        // Under 14 a guardian must answer (prompt.answeredBy is Actor.GUARDIAN then): a real app hands the device
        // over or asks for the guardian's PIN here.
        val actor = prompt.answeredBy
        val result = when (prompt) {
            is Prompt.Policy ->
                if (agreed) kit.agreeToPolicy(prompt.policyVersion, actor, source = "policy_dialog")
                else kit.declinePolicy(source = "policy_dialog").let { WriteResult.Recorded }
            is Prompt.ChildrenRulesAgreement ->
                if (agreed) kit.agreeToChildrenRules(prompt.rules.version, actor, source = "children_rules_dialog")
                else WriteResult.Recorded // nothing to record: the child's necessary purposes stay off
            is Prompt.Purpose ->
                if (agreed) kit.grant(prompt.purpose.id, actor, source = "pickup_prompt")
                else kit.refuse(prompt.purpose.id, actor, source = "pickup_prompt").let { WriteResult.Recorded }
        }
        // A refusal (e.g. the manifest was updated while the dialog was open): ask again with the current texts.
        if (result is WriteResult.Refused) ask(kit, trigger)
    }

    private fun render(pickup: Tier) {
        tierLabel.text = "pickup tier: ${pickup.id ?: "none (agree to the privacy policy first)"}"
        val liveTier = pickup.id == "live_location"
        live.visibility = if (liveTier) View.VISIBLE else View.GONE
        typedAddress.visibility = if (pickup.id == "typed_address") View.VISIBLE else View.GONE
        enableLocation.visibility = if ("live_location" in pickup.missingPurposes) View.VISIBLE else View.GONE
    }

    /** While the live tier is on, "collects" a location fix every 2 s; ConsentKit counts it (or says no). */
    private suspend fun followLocation(kit: ConsentKit) {
        val location = kit.dataUse("live_location", "location")
        var sent = 0
        while (true) {
            when (val result = kit.collect(location)) {
                Decision.Allowed -> live.text = "Using your live location (${++sent} fixes sent)"
                is Decision.Denied -> if (kit.resolve("pickup").id == "live_location") {
                    live.text = "Location paused: ${result.reason}" + (result.retryAfter?.let { ", retry in $it" } ?: "")
                }
            }
            delay(2_000)
        }
    }

    /** The prompt as a dialog: what is collected, why, for whom, where it is kept. Returns the user's answer. */
    private suspend fun showPrompt(prompt: Prompt): Boolean = suspendCancellableCoroutine { cont ->
        val purpose = (prompt as? Prompt.Purpose)?.purpose
        val title = when (prompt) {
            is Prompt.Policy -> "Privacy policy ${prompt.policyVersion}"
            is Prompt.ChildrenRulesAgreement -> "Children's privacy rules ${prompt.rules.version}"
            is Prompt.Purpose -> "Allow: ${prompt.purpose.description}?"
        }
        val body = buildString {
            if (prompt is Prompt.Policy) {
                append("Read it at ${prompt.policyUrl}.\n\nAgreeing covers:\n")
                prompt.covers.forEach { append("• ${it.description}\n") }
            } else if (prompt is Prompt.ChildrenRulesAgreement) {
                append("A parent or guardian: read them at ${prompt.rules.url}.")
            } else if (purpose != null) {
                append("Data: ${purpose.dataTypes.joinToString { it.description.ifEmpty { it.id } }}\n")
                if (purpose.recipients.isNotEmpty()) append("Shared with: ${purpose.recipients.joinToString { it.name }}\n")
                append("Stored in: ${purpose.storageRegion}")
                purpose.retentionDays?.let { append(", kept $it days") }
                append("\n\nWithout it, you can type your pickup address instead.")
            }
        }
        val dialog = AlertDialog.Builder(this)
            .setTitle(title)
            .setMessage(body)
            .setCancelable(false)
            .setPositiveButton(if (purpose == null) "Agree" else "Allow") { _, _ -> if (cont.isActive) cont.resume(true) }
            .setNegativeButton(if (purpose == null) "Not now" else "Don't allow") { _, _ -> if (cont.isActive) cont.resume(false) }
            .show()
        cont.invokeOnCancellation { dialog.dismiss() }
    }

    private fun buildLayout(): View {
        val pad = (16 * resources.displayMetrics.density).toInt()
        return LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(pad, pad, pad, pad)
            addView(TextView(context).apply { text = "Where should the driver pick you up?"; textSize = 20f })
            tierLabel = TextView(context).also { addView(it) }
            live = TextView(context).apply { textSize = 16f }.also { addView(it) }
            typedAddress = EditText(context).apply { hint = "Type your pickup address" }.also { addView(it) }
            enableLocation = Button(context).apply { text = "Use my location instead" }.also { addView(it) }
            filing = TextView(context).apply { textSize = 12f }.also { addView(it) }
        }
    }
}
