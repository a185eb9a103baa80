package dev.consentkit

// Translation at the edge: generated UniFFI types (dev.consentkit.internal) to the public Kotlin types. No consent
// logic here: every value is the core's; only names and shapes change.

import dev.consentkit.internal.ConsentException
import dev.consentkit.internal.ConsentStatus
import dev.consentkit.internal.InternalException
import dev.consentkit.internal.PurposeText
import dev.consentkit.internal.ResolvedTier
import dev.consentkit.internal.Actor as CoreActor
import dev.consentkit.internal.AgeBracket as CoreAgeBracket
import dev.consentkit.internal.DenyReason as CoreDenyReason
import dev.consentkit.internal.DiagnosticSeverity as CoreSeverity
import dev.consentkit.internal.Prompt as CorePrompt
import dev.consentkit.internal.PromptKind as CorePromptKind
import dev.consentkit.internal.PromptTrigger as CorePromptTrigger
import dev.consentkit.internal.RecoveryInfo as CoreRecovery
import dev.consentkit.internal.RecoveryReason as CoreRecoveryReason
import dev.consentkit.internal.SeparateConsentReason as CoreSeparateReason

/** Runs a core call, turning the generated errors into [ConsentKitException]s. */
internal inline fun <T> callCore(block: () -> T): T =
    try {
        block()
    } catch (e: ConsentException) {
        throw e.toPublic()
    } catch (e: InternalException) {
        throw ConsentKitException.Unexpected(e.message ?: "internal error", e)
    }

internal fun ConsentException.toPublic(): ConsentKitException = when (this) {
    is ConsentException.InvalidManifest -> ConsentKitException.InvalidManifest(
        detail, path,
        diagnostics.map {
            ManifestDiagnostic(
                code = it.code,
                severity = when (it.severity) {
                    CoreSeverity.ERROR -> ManifestDiagnostic.Severity.ERROR
                    CoreSeverity.WARNING -> ManifestDiagnostic.Severity.WARNING
                },
                path = it.path,
                detail = it.detail,
                fix = it.fix,
            )
        },
        this,
    )
    is ConsentException.UnknownId -> ConsentKitException.UnknownId(kind, id, this)
    is ConsentException.InvalidArgument -> ConsentKitException.InvalidArgument(detail, this)
    is ConsentException.SeparateConsentRequired -> ConsentKitException.SeparateConsentRequired(purposes, this)
    is ConsentException.GuardianRequired -> ConsentKitException.GuardianRequired(age.toInt(), this)
    is ConsentException.Storage -> ConsentKitException.Storage(detail, this)
    is ConsentException.Closed -> ConsentKitException.Closed(this)
    is ConsentException.ClockNotManual -> ConsentKitException.ClockNotManual(this)
    is ConsentException.Internal -> ConsentKitException.Unexpected(detail, this)
}

internal fun Actor.toCore(): CoreActor = when (this) {
    Actor.USER -> CoreActor.USER
    Actor.GUARDIAN -> CoreActor.GUARDIAN
}

internal fun AgeBracket.toCore(): CoreAgeBracket = when (this) {
    AgeBracket.UNKNOWN -> CoreAgeBracket.UNKNOWN
    AgeBracket.UNDER_14 -> CoreAgeBracket.UNDER14
    AgeBracket.TEEN -> CoreAgeBracket.TEEN
    AgeBracket.ADULT -> CoreAgeBracket.ADULT
}

internal fun CoreAgeBracket.toPublic(): AgeBracket = when (this) {
    CoreAgeBracket.UNKNOWN -> AgeBracket.UNKNOWN
    CoreAgeBracket.UNDER14 -> AgeBracket.UNDER_14
    CoreAgeBracket.TEEN -> AgeBracket.TEEN
    CoreAgeBracket.ADULT -> AgeBracket.ADULT
}

internal fun CoreDenyReason.toPublic(): DenyReason = when (this) {
    CoreDenyReason.POLICY_NOT_AGREED -> DenyReason.POLICY_NOT_AGREED
    CoreDenyReason.NOT_GRANTED -> DenyReason.NOT_GRANTED
    CoreDenyReason.REFUSED -> DenyReason.REFUSED
    CoreDenyReason.WITHDRAWN -> DenyReason.WITHDRAWN
    CoreDenyReason.LAPSED -> DenyReason.LAPSED
    CoreDenyReason.GUARDIAN_REQUIRED -> DenyReason.GUARDIAN_REQUIRED
    CoreDenyReason.NOT_DECLARED -> DenyReason.NOT_DECLARED
    CoreDenyReason.FREQUENCY_LIMITED -> DenyReason.FREQUENCY_LIMITED
    CoreDenyReason.RECIPIENT_NOT_DECLARED -> DenyReason.RECIPIENT_NOT_DECLARED
}

internal fun ResolvedTier.toPublic(): Tier = Tier(
    feature = feature,
    id = tier,
    index = tierIndex?.toInt(),
    isBasic = isBasic,
    missingPurposes = missingPurposes,
    canAskNow = canAskNow,
)

internal fun CoreRecovery.toPublic(): Recovery = Recovery(
    reason = when (reason) {
        CoreRecoveryReason.CORRUPT -> RecoveryReason.CORRUPT
        CoreRecoveryReason.BROKEN_CHAIN -> RecoveryReason.BROKEN_CHAIN
        CoreRecoveryReason.SCHEMA_TOO_NEW -> RecoveryReason.SCHEMA_TOO_NEW
        CoreRecoveryReason.UNAUTHENTICATED -> RecoveryReason.UNAUTHENTICATED
        CoreRecoveryReason.ROLLED_BACK -> RecoveryReason.ROLLED_BACK
        CoreRecoveryReason.KEY_REPLACED -> RecoveryReason.KEY_REPLACED
    },
    detail = detail,
    quarantinedPath = quarantinedPath,
    atMs = atMs,
)

internal fun ConsentStatus.toPublic(): ConsentState = ConsentState(
    version = version.toLong(),
    policyAgreed = policyAgreed,
    policyVersion = policyVersion,
    age = age.toPublic(),
    purposes = purposes.map {
        PurposeState(it.id, it.allowed, it.reason?.toPublic(), it.separateConsent, it.needsOptIn)
    },
    features = features.map { it.toPublic() },
    recovery = recovery?.toPublic(),
)

internal fun PromptTrigger.toCore(): CorePromptTrigger = when (this) {
    PromptTrigger.AppStart -> CorePromptTrigger.AppStart
    is PromptTrigger.Feature -> CorePromptTrigger.Feature(feature)
    is PromptTrigger.Settings -> CorePromptTrigger.Settings(purpose)
}

/**
 * The sealed [Prompt] for a core prompt: a purpose prompt when it names a purpose; the children's rules on their own
 * when it carries them and the policy is already agreed ([policyAgreed], read with the prompt); else the policy.
 */
internal fun CorePrompt.toPublic(policyAgreed: Boolean): Prompt {
    val kind = when (kind) {
        CorePromptKind.POLICY_AGREEMENT -> PromptKind.POLICY_AGREEMENT
        CorePromptKind.JUST_IN_TIME -> PromptKind.JUST_IN_TIME
        CorePromptKind.RE_CONSENT -> PromptKind.RE_CONSENT
        CorePromptKind.GUARDIAN_CONSENT -> PromptKind.GUARDIAN_CONSENT
    }
    val rules = childrenRules?.let { ChildrenRules(it.version, it.url) }
    val asked = purpose
    return when {
        asked != null -> Prompt.Purpose(kind, policyVersion, policyUrl, asked.toPublic())
        rules != null && policyAgreed && kind == PromptKind.GUARDIAN_CONSENT ->
            Prompt.ChildrenRulesAgreement(policyVersion, policyUrl, rules, covers.map { it.toPublic() })
        else -> Prompt.Policy(kind, policyVersion, policyUrl, covers.map { it.toPublic() }, rules)
    }
}

internal fun PurposeText.toPublic(): PurposeInfo = PurposeInfo(
    id = id,
    description = description,
    dataTypes = dataTypes.map { DataTypeInfo(it.id, it.description, it.sensitive) },
    recipients = recipients.map { RecipientInfo(it.id, it.name, it.region, it.contact) },
    storageRegion = storageRegion,
    crossBorder = crossBorder,
    retentionDays = retentionDays?.toInt(),
    separateConsent = separateConsent.mapTo(LinkedHashSet()) {
        when (it) {
            CoreSeparateReason.SENSITIVE -> SeparateConsentReason.SENSITIVE
            CoreSeparateReason.THIRD_PARTY -> SeparateConsentReason.THIRD_PARTY
            CoreSeparateReason.CROSS_BORDER -> SeparateConsentReason.CROSS_BORDER
            CoreSeparateReason.TRACKING -> SeparateConsentReason.TRACKING
        }
    },
)
