package dev.consentkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The blocking twins from Java, as the README tells a Java app to call them: {@code ConsentKit.openBlocking} is a
 * static method with overloads for the default parameters, reads are plain methods, {@code closeBlocking} closes.
 */
class JavaCallerTest {
    @Test
    void openBlockingDecideAndCloseBlockingFromJava() throws Exception {
        Path db = Files.createTempDirectory("consentkit-java").resolve("consent.db");
        Path root = Paths.get(System.getProperty("consentkit.rootDir", "../.."));
        String manifest = Files.readString(root.resolve("examples/ride_hailing.json"));
        ConsentKit kit = ConsentKit.openBlocking(db.toString(), manifest);
        Decision before = kit.decide("ride", "destination");
        assertFalse(before.isAllowed());
        assertEquals(DenyReason.POLICY_NOT_AGREED, ((Decision.Denied) before).getReason());
        assertNull(kit.resolve("pickup").getId(), "no tier before the policy is agreed");
        assertTrue(kit.getState().getValue().getPurposes().size() > 0);
        kit.closeBlocking();
        kit.closeBlocking();
        assertThrows(ConsentKitException.Closed.class, () -> kit.decide("ride", "destination"));
    }
}
