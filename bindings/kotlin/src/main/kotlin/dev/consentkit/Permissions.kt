package dev.consentkit

// The OS permission layer of the facade: report the platform's permission states to the core (not consent: never in
// the ledger) and ask which permission blocks a decision. Android apps normally let `PermissionBridge` (android/)
// call these.

import dev.consentkit.internal.PermissionRequest as CorePermissionRequest
import dev.consentkit.internal.PermissionState as CorePermissionState

/** The state of an OS permission, as the platform reports it. */
enum class PermissionState {
    /** Never asked: the system dialog can be shown. */
    NOT_DETERMINED,

    /** Granted in full. */
    GRANTED,

    /** Granted in its limited form: approximate location only, or only the photos the user selected. */
    LIMITED,

    /** Denied; the system dialog may be shown again (after the 48 h cooldown, or from the app's settings). */
    DENIED,

    /** Denied for good (`shouldShowRequestPermissionRationale` false after a denial): only the system settings help. */
    DENIED_PERMANENTLY,

    /** The user cannot grant it (device policy, parental controls). */
    RESTRICTED,
}

/** The OS permission a [Prompt] is about, with the text to show beside the system dialog. */
data class PermissionRequest(
    /** Platform-neutral id (`location`, `camera`, `photos`, `tracking`, ...): report it with [ConsentKit.setPermissionState]. */
    val id: String,
    /** What the permission guards. */
    val description: String,
    /** The explanation to show at the same time as the system dialog: why the feature needs it. */
    val explanation: String,
    /** The Android manifest permissions it stands for (request those the app declares for the device's API level). */
    val android: List<String>,
    /** The iOS Info.plist usage-description keys (for reference on Android). */
    val iosUsageKeys: List<String>,
    /** The limited form (approximate location, selected photos) is enough for this purpose. */
    val limitedEnough: Boolean,
)

internal fun CorePermissionRequest.toPublic(): PermissionRequest =
    PermissionRequest(id, description, explanation, android, iosUsageKeys, limitedEnough)

internal fun PermissionState.toCore(): CorePermissionState = when (this) {
    PermissionState.NOT_DETERMINED -> CorePermissionState.NOT_DETERMINED
    PermissionState.GRANTED -> CorePermissionState.GRANTED
    PermissionState.LIMITED -> CorePermissionState.LIMITED
    PermissionState.DENIED -> CorePermissionState.DENIED
    PermissionState.DENIED_PERMANENTLY -> CorePermissionState.DENIED_PERMANENTLY
    PermissionState.RESTRICTED -> CorePermissionState.RESTRICTED
}

/**
 * Reports the state of an OS permission (`location`, `camera`, `microphone`, `photos`, `contacts`, `calendar`,
 * `motion`, `phone_state`, `sms`, `call_log`, `background_location`, `tracking`). Memory only, never in the ledger;
 * the decisions ([ConsentKit.decide], [ConsentKit.resolve], [ConsentKit.state]) reflect it when this returns. The first
 * report enables the permission layer: a guarded data type whose permission was never reported is then denied.
 * [sinceMs]: when the state began, if the app kept it (the 48 h cooldown after a denial runs from it).
 *
 * @throws ConsentKitException.UnknownId for a permission id the platform table does not know.
 */
fun ConsentKit.setPermissionState(permission: String, state: PermissionState, sinceMs: Long? = null) {
    // The core tells this instance's observer on this thread before returning, so the mirror is current.
    callCore { core.setPermissionState(permission, state.toCore(), sinceMs) }
}

/** The OS permission id that makes `decide(purpose, dataType)` deny with an OS reason; null for any other answer. */
fun ConsentKit.blockingPermission(purpose: String, dataType: String): String? =
    callCore { core.blockingPermission(purpose, dataType) }

/** One Android manifest permission of an [OsPermission], with the API levels it applies on. */
data class AndroidPermission(
    /** Manifest name (`android.permission.ACCESS_FINE_LOCATION`). */
    val name: String,
    /** It grants only the limited form (approximate location, selected photos). */
    val limited: Boolean,
    /** First API level it applies on. */
    val minApi: Int,
    /** Last API level it applies on; null while it still applies. */
    val maxApi: Int?,
    /** Granted at install (a "normal" permission such as AD_ID): never asked at run time. */
    val installTime: Boolean,
) {
    /** Whether it applies on a device of this API level. */
    fun appliesOn(sdk: Int): Boolean = sdk >= minApi && (maxApi == null || sdk <= maxApi)
}

/** An OS permission of the core's platform table: what a bridge checks, requests and reports. */
data class OsPermission(
    /** Platform-neutral id, as [ConsentKit.setPermissionState] takes it. */
    val id: String,
    /** What it guards. */
    val description: String,
    /** Its Android manifest permissions. */
    val android: List<AndroidPermission>,
)

/** The core's platform table (versioned data beside the rule packs). */
fun osPermissionTable(): List<OsPermission> = callCore {
    dev.consentkit.internal.osPermissionTable().map { p ->
        OsPermission(
            p.id,
            p.description,
            p.android.map { AndroidPermission(it.name, it.limited, it.minApi.toInt(), it.maxApi?.toInt(), it.installTime) },
        )
    }
}
