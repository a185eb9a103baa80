package dev.consentkit

import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import kotlin.io.path.name

/** Every shared scenario file, run through the Kotlin facade: the same results as the Rust runner. */
class ScenarioTest {
    @TestFactory
    fun `every scenario passes through the facade`(): List<DynamicTest> {
        val files = TestSupport.scenarioFiles()
        // The 14 files of tests/scenarios when the guardian, cooldown and grant-before-agreement ones were added;
        // naming those makes a rename or a lost file fail here instead of silently running fewer scenarios.
        assertTrue(files.size >= 14, "expected at least the 14 shared scenario files, found ${files.size}")
        val names = files.map { it.name }.toSet()
        val missing = REQUIRED.filterNot { it in names }
        assertTrue(missing.isEmpty(), "scenario files missing: $missing")
        return files.map { file ->
            DynamicTest.dynamicTest(file.name) { assertTrue(ScenarioRunner(file).run() > 0) }
        }
    }

    private companion object {
        /**
         * Scenarios that exercise facade calls added with them (children's rules, erasure, per-purpose transfer, OS
         * permissions).
         */
        val REQUIRED = listOf(
            "under14_guardian.json",
            "under14_children_rules.json",
            "under14_lapse.json",
            "withdrawal_cooldown.json",
            "grant_before_policy.json",
            "cross_border.json",
            // The OS permission layer (set_permission, blocking_permission, os_permission prompts).
            "os_location_tiers.json",
            "os_denial_cooldown.json",
            "os_limited_photos.json",
            "att_tracking.json",
            "att_never_without_authorisation.json",
        )
    }
}
