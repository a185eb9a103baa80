package dev.consentkit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

/**
 * A child's flow as the README tells an app to run it, through the public types: every prompt is a guardian prompt
 * ([Prompt.answeredBy] is the guardian) — the policy first ([Prompt.Policy]), then the children's rules
 * ([Prompt.ChildrenRulesAgreement] with version and url), then each optional purpose ([Prompt.Purpose]); a user's
 * answer where a guardian's is needed comes back as [WriteRefusal.GuardianRequired].
 */
class ChildFlowTest {
    @Test
    fun `the guardian agrees to the policy, then the children's rules, then grants`(): Unit = runBlocking {
        TestSupport.open("examples/map_navigation.json").use { kit ->
            kit.setAgeBracket(AgeBracket.UNDER_14)

            val policy = kit.nextPrompt(PromptTrigger.AppStart)
            check(policy is Prompt.Policy) { "expected the policy, got $policy" }
            assertEquals(PromptKind.GUARDIAN_CONSENT, policy.kind)
            assertEquals(Actor.GUARDIAN, policy.answeredBy)
            assertEquals(
                WriteResult.Refused(WriteRefusal.GuardianRequired(14)),
                kit.agreeToPolicy(policy.policyVersion, Actor.USER),
            )
            assertEquals(WriteResult.Recorded, kit.agreeToPolicy(policy.policyVersion, policy.answeredBy))
            assertEquals(Decision.Denied(DenyReason.GUARDIAN_REQUIRED), kit.decide("routing", "destination"))

            val rules = kit.nextPrompt(PromptTrigger.AppStart)
            check(rules is Prompt.ChildrenRulesAgreement) { "expected the children's rules, got $rules" }
            assertEquals(PromptKind.GUARDIAN_CONSENT, rules.kind)
            assertEquals(ChildrenRules("3.2", "https://maps.example.com/children-privacy"), rules.rules)
            assertEquals(
                WriteResult.Refused(WriteRefusal.GuardianRequired(14)),
                kit.agreeToChildrenRules(rules.rules.version, Actor.USER),
            )
            assertEquals(WriteResult.Recorded, kit.agreeToChildrenRules(rules.rules.version, Actor.GUARDIAN))
            assertEquals(Decision.Allowed, kit.decide("routing", "destination"))
            assertNull(kit.nextPrompt(PromptTrigger.AppStart))

            val optional = kit.nextPrompt(PromptTrigger.Feature("search"))
            check(optional is Prompt.Purpose) { "expected a purpose, got $optional" }
            assertEquals(PromptKind.GUARDIAN_CONSENT, optional.kind)
            assertEquals("suggestions", optional.purpose.id)
            assertEquals(WriteResult.Refused(WriteRefusal.GuardianRequired(14)), kit.grant(optional.purpose.id))
            assertEquals(WriteResult.Recorded, kit.grant(optional.purpose.id, optional.answeredBy))
            assertEquals(Decision.Allowed, kit.decide("suggestions", "search_history"))

            // Erasure keeps the child under 14; only the guardian moves the child out of it.
            kit.eraseAll(Actor.USER)
            assertEquals(AgeBracket.UNDER_14, kit.state.value.age)
            assertEquals(WriteResult.Refused(WriteRefusal.GuardianRequired(14)), kit.setAgeBracket(AgeBracket.TEEN))
            assertEquals(AgeBracket.UNDER_14, kit.state.value.age)
        }
    }

    @Test
    fun `a transfer is allowed per purpose`(): Unit = runBlocking {
        TestSupport.open("examples/map_navigation.json").use { kit ->
            kit.agreeToPolicy(kit.state.value.policyVersion)
            assertEquals(false, kit.mayTransfer("trafficdata", "traffic_contribution"))
            kit.grant("traffic_contribution")
            assertEquals(true, kit.mayTransfer("trafficdata", "traffic_contribution"))
            // routing is allowed but does not name trafficdata as a recipient.
            assertEquals(false, kit.mayTransfer("trafficdata", "routing"))
        }
    }
}
