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
        assertTrue(files.size >= 9, "expected the scenarios the core issue lists, found ${files.size}")
        return files.map { file ->
            DynamicTest.dynamicTest(file.name) { assertTrue(ScenarioRunner(file).run() > 0) }
        }
    }
}
