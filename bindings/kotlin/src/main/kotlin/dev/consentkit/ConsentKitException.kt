package dev.consentkit

/**
 * Every error ConsentKit throws. Sealed, so a `when` can handle each case; none of them carries personal data.
 */
sealed class ConsentKitException(message: String, cause: Throwable? = null) : Exception(message, cause) {
    /** The manifest is not valid JSON / v1, or the lint found errors; [diagnostics] lists every finding. */
    class InvalidManifest(
        /** Summary, with the JSON path of the first problem. */
        val detail: String,
        /** Where parsing failed (empty if the lint failed). */
        val path: String,
        /** Every lint finding (errors and warnings). */
        val diagnostics: List<ManifestDiagnostic>,
        cause: Throwable? = null,
    ) : ConsentKitException("invalid manifest: $detail", cause)

    /** An id ([kind] `purpose`, `data_type`, `feature` or `third_party`) that the manifest does not declare. */
    class UnknownId(
        /** `purpose`, `data_type`, `feature` or `third_party`. */
        val kind: String,
        /** The id given (long ids are clipped). */
        val id: String,
        cause: Throwable? = null,
    ) : ConsentKitException("unknown $kind \"$id\"", cause)

    /** An argument that makes no sense (e.g. a policy version that is not the manifest's). */
    class InvalidArgument(
        /** What is wrong. */
        val detail: String,
        cause: Throwable? = null,
    ) : ConsentKitException("invalid argument: $detail", cause)

    /**
     * The core's error for [purposes] that need separate consent bundled in one grant. The facade's writes do not
     * throw it: [ConsentKit.grantAll] returns it as [WriteResult.Refused] with [WriteRefusal.SeparateConsentRequired].
     * Kept so every core error has its typed counterpart.
     */
    class SeparateConsentRequired(
        /** The purposes concerned. */
        val purposes: List<String>,
        cause: Throwable? = null,
    ) : ConsentKitException("separate consent required for: ${purposes.joinToString()}", cause)

    /**
     * The core's error for a call only a guardian ([Actor.GUARDIAN]) may make. The facade's writes do not throw it:
     * they return [WriteResult.Refused] with [WriteRefusal.GuardianRequired]. Kept so every core error has its typed
     * counterpart.
     */
    class GuardianRequired(
        /** The guardian age of the rule pack. */
        val age: Int,
        cause: Throwable? = null,
    ) : ConsentKitException("guardian consent required (user under $age)", cause)

    /** The database could not be opened or written; nothing changed. */
    class Storage(
        /** What SQLite or the file system said. */
        val detail: String,
        cause: Throwable? = null,
    ) : ConsentKitException("storage error: $detail", cause)

    /** The instance was closed. */
    class Closed(cause: Throwable? = null) : ConsentKitException("ConsentKit is closed", cause)

    /** [ConsentKit.advanceClock] needs an instance opened with [ConsentKitOptions.manualClockStartMs]. */
    class ClockNotManual(cause: Throwable? = null) : ConsentKitException("the clock is not manual", cause)

    /** A failure that should never happen (a bug in ConsentKit); please report it with [detail]. */
    class Unexpected(
        /** What failed. */
        val detail: String,
        cause: Throwable? = null,
    ) : ConsentKitException("unexpected ConsentKit failure: $detail", cause)
}

/** A manifest lint finding ([ConsentKitException.InvalidManifest.diagnostics]). */
data class ManifestDiagnostic(
    /** Stable code (`CK001`...); see docs/lint.md. */
    val code: String,
    /** Whether it makes the manifest invalid. */
    val severity: Severity,
    /** JSON path of the problem. */
    val path: String,
    /** What is wrong. */
    val detail: String,
    /** How to fix it. */
    val fix: String,
) {
    /** Severity of a diagnostic. */
    enum class Severity {
        /** The manifest is refused. */
        ERROR,

        /** Allowed, worth a look. */
        WARNING,
    }
}
