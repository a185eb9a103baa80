package dev.consentkit

import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Test
import java.io.File
import java.net.URLClassLoader

/**
 * Regression: the shared Decision instances must not depend on which Decision class an app touches first. (They
 * once lived in Decision's companion, which read `Decision.Allowed` as null when `Decision.Allowed` was the first
 * use.) Checked in a fresh class loader, where no Decision class is initialised yet.
 */
class ClassInitOrderTest {
    @Test
    fun `Decision Allowed first, then decoding a code`() {
        val urls = System.getProperty("java.class.path").split(File.pathSeparator).map { File(it).toURI().toURL() }
        URLClassLoader(urls.toTypedArray(), null).use { loader ->
            val allowed = loader.loadClass("dev.consentkit.Decision\$Allowed").getField("INSTANCE").get(null)
            assertNotNull(allowed)
            val codes = loader.loadClass("dev.consentkit.DecisionCodes")
            val instance = codes.getDeclaredField("INSTANCE").apply { isAccessible = true }.get(null)
            val byCode = codes.getDeclaredMethod("getByCode").apply { isAccessible = true }.invoke(instance) as Array<*>
            assertSame(allowed, byCode[0])
            assertNotNull(byCode[3])
        }
    }
}
