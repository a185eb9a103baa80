package dev.consentkit.android

import android.Manifest
import android.app.Activity
import android.content.Context
import android.content.pm.PackageManager
import android.provider.Settings
import dev.consentkit.ConsentKit
import dev.consentkit.Decision
import dev.consentkit.DenyReason
import dev.consentkit.PermissionState
import dev.consentkit.Prompt
import dev.consentkit.PromptKind
import dev.consentkit.PromptTrigger
import dev.consentkit.android.AndroidTestSupport.app
import dev.consentkit.android.AndroidTestSupport.options
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import kotlin.time.Duration.Companion.hours

/**
 * The Android permission bridge under Robolectric (Android 14): the system dialog is requested only after our
 * consent, with the explanation on screen; grant, deny, deny permanently and approximate location reach the core's
 * decisions; the time of a denial survives a process restart.
 */
@RunWith(RobolectricTestRunner::class)
class PermissionBridgeTest {
    private val fine = Manifest.permission.ACCESS_FINE_LOCATION
    private val coarse = Manifest.permission.ACCESS_COARSE_LOCATION
    private val startMs = 1_767_225_600_000L

    private fun open(): ConsentKit =
        ConsentKitAndroid.openBlocking(app, "ride_hailing_permissions.json", options = options, followAppLifecycle = false, deviceKey = null)

    private fun activity(): Activity = Robolectric.buildActivity(Activity::class.java).setup().get()

    private fun agreedWithLocationConsent(kit: ConsentKit) = runBlocking {
        kit.agreeToPolicy(kit.state.value.policyVersion)
        kit.grant("area_location")
        kit.grant("live_location")
    }

    private fun pickupPrompt(kit: ConsentKit) = runBlocking { kit.nextPrompt(PromptTrigger.Feature("pickup")) }

    /** Requests location through the bridge, lets the "user" answer with [answer], and returns the reported state. */
    private fun requestLocation(kit: ConsentKit, bridge: PermissionBridge, activity: Activity, answer: () -> Unit): PermissionState {
        val prompt = pickupPrompt(kit)
        check(prompt is Prompt.OsPermission) { "expected the OS step, got $prompt" }
        assertEquals(PromptKind.OS_PERMISSION, prompt.kind)
        var reported: PermissionState? = null
        assertTrue(bridge.perform(prompt) { reported = it })
        assertEquals("the explanation is on screen while the dialog is up", prompt.explanation, bridge.explanationShown)
        val request = shadowOf(activity).lastRequestedPermission
        assertArrayEquals(arrayOf(fine, coarse), request.requestedPermissions)
        answer()
        val results = request.requestedPermissions.map { activity.checkSelfPermission(it) }.toIntArray()
        assertTrue(bridge.onRequestPermissionsResult(request.requestCode, request.requestedPermissions, results))
        assertNull("the explanation is gone with the dialog", bridge.explanationShown)
        return checkNotNull(reported)
    }

    private fun rationale(permission: String, show: Boolean) =
        shadowOf(app.packageManager).setShouldShowRequestPermissionRationale(permission, show)

    @Test
    fun `our consent first, then the system dialog, and a grant allows precise pickup`() {
        open().useBlocking { kit ->
            val activity = activity()
            val bridge = PermissionBridge(kit, activity, now = { startMs })
            runBlocking { kit.agreeToPolicy(kit.state.value.policyVersion) }
            assertEquals("our consent prompt comes first", PromptKind.JUST_IN_TIME, pickupPrompt(kit)?.kind)
            assertNull("nothing requested from the system yet", shadowOf(activity).lastRequestedPermission)
            runBlocking { kit.grant("area_location"); kit.grant("live_location") }
            assertEquals(Decision.Denied(DenyReason.OS_PERMISSION_DENIED), kit.decide("live_location", "location"))

            val state = requestLocation(kit, bridge, activity) { shadowOf(app).grantPermissions(fine, coarse) }
            assertEquals(PermissionState.GRANTED, state)
            assertEquals(Decision.Allowed, kit.decide("live_location", "location"))
            assertEquals("precise_pickup", kit.resolve("pickup").id)
        }
    }

    @Test
    fun `approximate location only gives the area tier`() {
        open().useBlocking { kit ->
            val activity = activity()
            val bridge = PermissionBridge(kit, activity, now = { startMs })
            agreedWithLocationConsent(kit)
            val state = requestLocation(kit, bridge, activity) {
                shadowOf(app).grantPermissions(coarse)
                shadowOf(app).denyPermissions(fine)
            }
            assertEquals(PermissionState.LIMITED, state)
            assertEquals("area_pickup", kit.resolve("pickup").id)
            assertEquals(Decision.Denied(DenyReason.OS_PERMISSION_DENIED), kit.decide("live_location", "location"))
            assertEquals(Decision.Allowed, kit.decide("area_location", "approximate_location"))
        }
    }

    @Test
    fun `a denial waits out the cooldown and a permanent denial offers the settings`() {
        open().useBlocking { kit ->
            val activity = activity()
            val bridge = PermissionBridge(kit, activity, now = { startMs })
            agreedWithLocationConsent(kit)
            val denied = requestLocation(kit, bridge, activity) {
                shadowOf(app).denyPermissions(fine, coarse)
                rationale(fine, true)
            }
            assertEquals(PermissionState.DENIED, denied)
            assertEquals("typed_address", kit.resolve("pickup").id)
            assertEquals(false, kit.resolve("pickup").canAskNow)
            assertNull("no request during the cooldown", pickupPrompt(kit))

            runBlocking { kit.advanceClock(48.hours) }
            val permanently = requestLocation(kit, bridge, activity) { rationale(fine, false) }
            assertEquals(PermissionState.DENIED_PERMANENTLY, permanently)
            val settings = pickupPrompt(kit)
            check(settings is Prompt.OpenSettings) { "expected the settings offer, got $settings" }
            assertEquals(PromptKind.OPEN_SETTINGS, settings.kind)
            assertEquals("location", settings.permission.id)
            assertTrue(bridge.perform(settings))
            assertEquals(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, shadowOf(activity).nextStartedActivity.action)
        }
    }

    @Test
    fun `a process restart keeps the denial and its cooldown`() {
        open().useBlocking { kit ->
            val activity = activity()
            val bridge = PermissionBridge(kit, activity, now = { startMs })
            agreedWithLocationConsent(kit)
            requestLocation(kit, bridge, activity) {
                shadowOf(app).denyPermissions(fine, coarse)
                rationale(fine, true)
            }
        }
        // A new process: a new engine (nothing reported yet) and a new bridge over the same preferences.
        open().useBlocking { kit ->
            val bridge = PermissionBridge(kit, activity(), now = { startMs })
            assertEquals(Decision.Denied(DenyReason.OS_PERMISSION_DENIED), kit.decide("live_location", "location"))
            assertNull("the cooldown continues after the restart", pickupPrompt(kit))
            runBlocking { kit.advanceClock(48.hours) }
            assertEquals(PromptKind.OS_PERMISSION, pickupPrompt(kit)?.kind)
            bridge.reportAll()
        }
    }

    @Test
    fun `the advertising id follows AD_ID and the ads opt-out`() {
        open().useBlocking { kit ->
            val bridge = PermissionBridge(kit, activity(), now = { startMs })
            runBlocking { kit.agreeToPolicy(kit.state.value.policyVersion); kit.grant("ads") }
            assertEquals("AD_ID is declared and install-time", Decision.Allowed, kit.decide("ads", "advertising_id"))
            bridge.reportAdsOptOut(true)
            assertEquals(Decision.Denied(DenyReason.TRACKING_NOT_AUTHORIZED), kit.decide("ads", "advertising_id"))
            assertEquals(false, kit.mayInitialize("adnet"))
            assertEquals(PackageManager.PERMISSION_DENIED, app.checkSelfPermission(fine))
            app.getSharedPreferences("dev.consentkit.permissions", Context.MODE_PRIVATE).edit().clear().commit()
        }
    }
}
