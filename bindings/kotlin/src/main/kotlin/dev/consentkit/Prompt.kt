package dev.consentkit

/**
 * A consent prompt the app should show now ([ConsentKit.nextPrompt]), with every text it must display. Render it,
 * then report the user's answer with [ConsentKit.agreeToPolicy] / [ConsentKit.agreeToChildrenRules] /
 * [ConsentKit.grant] / [ConsentKit.refuse] (pass the prompt's [policyVersion] to `agreeToPolicy`, its
 * [childrenRules] version to `agreeToChildrenRules`).
 *
 * For a child (under 14) every prompt is [PromptKind.GUARDIAN_CONSENT] and must be answered with
 * [Actor.GUARDIAN]: first the policy ([purpose] null; [childrenRules] may already be set, but each document is
 * agreed with its own call), then the children's rules ([purpose] null, [childrenRules] set), then each optional
 * purpose on its own ([purpose] set). Ask [ConsentKit.nextPrompt] again after each answer.
 */
data class Prompt(
    /** What kind of prompt. */
    val kind: PromptKind,
    /** The purpose asked for; null for a policy agreement. */
    val purpose: PurposeInfo?,
    /** The privacy policy version to show (and to agree to). */
    val policyVersion: String,
    /** The privacy policy URL. */
    val policyUrl: String,
    /** For a policy prompt: the necessary purposes the agreement covers. */
    val covers: List<PurposeInfo>,
    /**
     * Set on a [PromptKind.GUARDIAN_CONSENT] prompt when the guardian must agree to the app's children's
     * personal-information rules (show them, then call [ConsentKit.agreeToChildrenRules] with its
     * [ChildrenRules.version] and [Actor.GUARDIAN]); null otherwise.
     */
    val childrenRules: ChildrenRules? = null,
    /**
     * For [PromptKind.OS_PERMISSION] / [PromptKind.OPEN_SETTINGS]: the OS permission, with the explanation to show
     * at the same time as the system dialog; null otherwise.
     */
    val permission: PermissionRequest? = null,
)

/**
 * The app's children's personal-information rules (儿童个人信息保护规则) a guardian agrees to: a consent separate
 * from the privacy policy, which a child's necessary purposes ride on ([Prompt.childrenRules]).
 */
data class ChildrenRules(
    /** The version to pass to [ConsentKit.agreeToChildrenRules]. */
    val version: String,
    /** Where the rules are published: show or link them. */
    val url: String,
)

/** The kind of prompt. */
enum class PromptKind {
    /** Agree to the privacy policy (first start, or after a decline once the cooldown ended). */
    POLICY_AGREEMENT,

    /** Ask for one purpose, in the context of the feature that needs it. */
    JUST_IN_TIME,

    /** Ask again after the policy or the purpose changed. */
    RE_CONSENT,

    /**
     * A guardian must answer (the user is under 14): the policy, the children's rules ([Prompt.childrenRules]) or
     * one purpose. Answer with [Actor.GUARDIAN].
     */
    GUARDIAN_CONSENT,

    /**
     * Our consent is given: request the OS permission ([Prompt.permission]) now — e.g. with `PermissionBridge` —
     * showing its explanation at the top of the screen while the system dialog is up.
     */
    OS_PERMISSION,

    /** The OS permission is denied for good: offer to open the system settings (only when the user starts the feature). */
    OPEN_SETTINGS,
}

/** What triggers a prompt ([ConsentKit.nextPrompt]). */
sealed class PromptTrigger {
    /** The app starts: policy agreement and re-consent. */
    data object AppStart : PromptTrigger()

    /** The user opens [feature]: just-in-time consent for its next richer tier (respects the cooldown). */
    data class Feature(
        /** Feature id. */
        val feature: String,
    ) : PromptTrigger()

    /** The user asks from a settings screen to enable [purpose] (the cooldown does not apply). */
    data class Settings(
        /** Purpose id. */
        val purpose: String,
    ) : PromptTrigger()
}

/** What the user must be told about a purpose. */
data class PurposeInfo(
    /** Purpose id. */
    val id: String,
    /** Why the data is collected, as the manifest words it. */
    val description: String,
    /** What is collected. */
    val dataTypes: List<DataTypeInfo>,
    /** Who receives it besides the app. */
    val recipients: List<RecipientInfo>,
    /** Where it is stored (region code). */
    val storageRegion: String,
    /** Stored outside the app's home region. */
    val crossBorder: Boolean,
    /** How long it is kept, in days. */
    val retentionDays: Int?,
    /** Why it needs separate consent; empty when it does not. */
    val separateConsent: Set<SeparateConsentReason>,
)

/** A data type as shown to the user. */
data class DataTypeInfo(
    /** Id. */
    val id: String,
    /** Description. */
    val description: String,
    /** Sensitive personal information. */
    val sensitive: Boolean,
)

/** A third party receiving data, as shown to the user. */
data class RecipientInfo(
    /** Id. */
    val id: String,
    /** Name. */
    val name: String,
    /** Region. */
    val region: String,
    /** Privacy contact. */
    val contact: String?,
)

/** Why a purpose needs its own consent. */
enum class SeparateConsentReason {
    /** Sensitive personal information. */
    SENSITIVE,

    /** Given to a third party. */
    THIRD_PARTY,

    /** Stored outside the home region. */
    CROSS_BORDER,

    /** Tracking across apps. */
    TRACKING,
}
