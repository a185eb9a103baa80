package dev.consentkit

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * A child's flow as the README tells an app to run it, through the public types: every prompt is GUARDIAN_CONSENT,
 * the policy first, then the children's rules ([Prompt.childrenRules] with version and url), then optional purposes.
 */
class ChildFlowTest {
    @Test
    fun `the guardian agrees to the policy, then the children's rules, then grants`(): Unit = runBlocking {
        TestSupport.open("examples/map_navigation.json").use { kit ->
            kit.setAgeBracket(AgeBracket.UNDER_14)

            val policy = kit.nextPrompt(PromptTrigger.AppStart)!!
            assertEquals(PromptKind.GUARDIAN_CONSENT, policy.kind)
            assertNull(policy.purpose)
            kit.agreeToPolicy(policy.policyVersion, Actor.GUARDIAN)
            assertEquals(Decision.Denied(DenyReason.GUARDIAN_REQUIRED), kit.decide("routing", "destination"))

            val rules = kit.nextPrompt(PromptTrigger.AppStart)!!
            assertEquals(PromptKind.GUARDIAN_CONSENT, rules.kind)
            assertNull(rules.purpose)
            assertEquals(ChildrenRules("3.2", "https://maps.example.com/children-privacy"), rules.childrenRules)
            assertThrows<ConsentKitException.GuardianRequired> { kit.agreeToChildrenRules(rules.childrenRules!!.version, Actor.USER) }
            kit.agreeToChildrenRules(rules.childrenRules!!.version, Actor.GUARDIAN)
            assertEquals(Decision.Allowed, kit.decide("routing", "destination"))
            assertNull(kit.nextPrompt(PromptTrigger.AppStart))

            val optional = kit.nextPrompt(PromptTrigger.Feature("search"))!!
            assertEquals(PromptKind.GUARDIAN_CONSENT, optional.kind)
            assertEquals("suggestions", optional.purpose?.id)
            assertNull(optional.childrenRules)
            kit.grant("suggestions", Actor.GUARDIAN)
            assertEquals(Decision.Allowed, kit.decide("suggestions", "search_history"))

            // Erasure keeps the child under 14; only the guardian moves the child out of it.
            kit.eraseAll(Actor.USER)
            assertEquals(AgeBracket.UNDER_14, kit.state.value.age)
            assertThrows<ConsentKitException.GuardianRequired> { kit.setAgeBracket(AgeBracket.TEEN) }
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
