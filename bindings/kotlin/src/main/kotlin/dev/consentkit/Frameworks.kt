package dev.consentkit

// The IAB TCF / GPP strings and Google Consent Mode of the current consent state (docs/frameworks.md). The core
// computes every value, including the exact IABTCF_* / IABGPP_* keys; these are thin calls and the core's own
// records (their generated form is already plain data, so no hand-written copy).

/** Which privacy regime the app says applies: `EU` (the manifest default), `US` or `OTHER`. Never looked up. */
typealias FrameworkJurisdiction = dev.consentkit.internal.FrameworkJurisdiction

/** The TC string, GPP string, Consent Mode map and in-app keys of one consent state. */
typealias FrameworkSignals = dev.consentkit.internal.FrameworkSignals

/** One `IABTCF_*` / `IABGPP_*` key and its value (exactly one of `intValue` / `textValue` is set). */
typealias FrameworkPreference = dev.consentkit.internal.FrameworkPreference

/** Every field of a TC string, as read by [IabStrings.decodeTcString]. */
typealias DecodedTcString = dev.consentkit.internal.DecodedTcString

/** A GPP string's sections, as read by [IabStrings.decodeGppString]. */
typealias DecodedGppString = dev.consentkit.internal.DecodedGppString

/**
 * The signals for the current state, under [jurisdiction] (null: the manifest's `frameworks.jurisdiction`, default
 * EU). Cheap (no I/O); [IabPreferencesWriter] calls it on every change.
 */
fun ConsentKit.frameworkSignals(jurisdiction: FrameworkJurisdiction? = null): FrameworkSignals =
    callCore { core.frameworkSignals(jurisdiction) }

/** Decoders for TC and GPP strings that come from elsewhere (a web view's CMP). */
object IabStrings {
    /** Reads a TC string. @throws ConsentKitException.InvalidArgument naming the field that failed. */
    @JvmStatic
    fun decodeTcString(text: String): DecodedTcString = callCore { dev.consentkit.internal.decodeTcString(text) }

    /** Reads a GPP string. @throws ConsentKitException.InvalidArgument naming the field that failed. */
    @JvmStatic
    fun decodeGppString(text: String): DecodedGppString = callCore { dev.consentkit.internal.decodeGppString(text) }
}
