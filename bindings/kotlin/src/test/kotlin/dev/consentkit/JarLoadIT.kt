package dev.consentkit

import com.sun.jna.Library
import com.sun.jna.NativeLibrary
import com.sun.jna.Platform
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Paths

/**
 * Run by Failsafe after `package`, with the project's jar (not target/classes) on the classpath and no
 * jna.library.path: the native library must come out of the jar, as it does for an app that depends on
 * dev.consentkit:consentkit — and it is the build without the `test-hooks` feature (no test-only panic hook).
 */
class JarLoadIT {
    @Test
    fun `the native library loads from the jar`() = runBlocking {
        assertNull(System.getProperty("jna.library.path"), "this test must not be given jna.library.path")
        val loader = ConsentKit::class.java.classLoader
        val resource = "${Platform.RESOURCE_PREFIX}/${System.mapLibraryName("consentkit")}"
        val url = loader.getResource(resource)
        assertNotNull(url, "$resource is not on the classpath")
        assertEquals("jar", url.protocol, "$resource should come from the jar, not from $url")

        TestSupport.open().use { kit ->
            assertEquals(Decision.Denied(DenyReason.POLICY_NOT_AGREED), kit.decide("ride", "destination"))
            assertEquals(WriteResult.Recorded, kit.agreeToPolicy(kit.state.value.policyVersion))
            assertEquals(Decision.Allowed, kit.decide("ride", "destination"))
            assertEquals("book", kit.resolve("booking").id)
        }

        // The instance JNA registered the generated bindings with (same name and class loader): it is a copy
        // extracted from the jar, not the cargo build's file.
        val loaded = NativeLibrary.getInstance("consentkit", mapOf(Library.OPTION_CLASSLOADER to loader)).file
        val cargoBuilt = Paths.get(System.getProperty("consentkit.libDir"), System.mapLibraryName("consentkit")).toFile()
        assertNotEquals(cargoBuilt.canonicalFile, loaded.canonicalFile, "JNA loaded the cargo build's file: $loaded")

        // The shipped library has no test hook: a panic can only come from a real bug, never from a test switch.
        val shipped = NativeLibrary.getInstance("consentkit", mapOf(Library.OPTION_CLASSLOADER to loader))
        assertThrows<UnsatisfiedLinkError> { shipped.getFunction(TestSupport.TEST_PANIC_SYMBOL) }
        // ... while the symbol name is right: the test-hooks build the unit tests ran against exports it.
        assertNotNull(NativeLibrary.getInstance(cargoBuilt.absolutePath).getFunction(TestSupport.TEST_PANIC_SYMBOL))
    }
}
