package dev.consentkit

/**
 * A consent prompt the app should show now ([ConsentKit.nextPrompt]), with every text it must display. Sealed by
 * what is asked, so each case carries exactly what it needs (no `!!`): render it, then report the answer —
 *
 * - [Policy]: agree with [ConsentKit.agreeToPolicy]`(prompt.policyVersion, prompt.answeredBy)`, or
 *   [ConsentKit.declinePolicy];
 * - [ChildrenRulesAgreement]: a guardian agrees with [ConsentKit.agreeToChildrenRules]`(prompt.rules.version,
 *   Actor.GUARDIAN)`;
 * - [Purpose]: [ConsentKit.grant]`(prompt.purpose.id, prompt.answeredBy)` or [ConsentKit.refuse].
 *
 * [kind] says why it is asked ([PromptKind.RE_CONSENT] after a change, [PromptKind.GUARDIAN_CONSENT] for a child);
 * [answeredBy] is the [Actor] to pass with the answer. For a child (under 14) every prompt is a guardian prompt:
 * first the policy ([Policy]; its [Policy.childrenRules] may already be set, but each document is agreed with its
 * own call), then [ChildrenRulesAgreement], then each optional purpose on its own. Ask [ConsentKit.nextPrompt]
 * again after each answer.
 *
 * ```
 * when (val p = kit.nextPrompt(PromptTrigger.AppStart)) {
 *     is Prompt.Policy -> if (showPolicy(p)) kit.agreeToPolicy(p.policyVersion, p.answeredBy)
 *     is Prompt.ChildrenRulesAgreement -> if (showRules(p.rules)) kit.agreeToChildrenRules(p.rules.version, Actor.GUARDIAN)
 *     is Prompt.Purpose -> if (ask(p.purpose)) kit.grant(p.purpose.id, p.answeredBy) else kit.refuse(p.purpose.id)
 *     null -> Unit
 * }
 * ```
 */
sealed class Prompt {
    /** Why it is asked: first time, in context, again after a change, or to a guardian. */
    abstract val kind: PromptKind

    /** The privacy policy version in force (the one to agree to for [Policy]). */
    abstract val policyVersion: String

    /** The privacy policy URL. */
    abstract val policyUrl: String

    /** Who answers: [Actor.GUARDIAN] for a [PromptKind.GUARDIAN_CONSENT] prompt, else [Actor.USER]. */
    val answeredBy: Actor
        get() = if (kind == PromptKind.GUARDIAN_CONSENT) Actor.GUARDIAN else Actor.USER

    /**
     * Agree to the privacy policy: first start ([PromptKind.POLICY_AGREEMENT]), after the policy or its necessary
     * purposes changed ([PromptKind.RE_CONSENT]), or, for a child, by the guardian ([PromptKind.GUARDIAN_CONSENT]).
     */
    data class Policy(
        override val kind: PromptKind,
        override val policyVersion: String,
        override val policyUrl: String,
        /** The necessary purposes the agreement covers, with their texts. */
        val covers: List<PurposeInfo>,
        /**
         * For a child: the children's rules the guardian will be asked to agree to next (shown together if the app
         * likes; agreed with their own call, after this one); null otherwise.
         */
        val childrenRules: ChildrenRules?,
    ) : Prompt()

    /**
     * A guardian agrees to the app's children's personal-information rules ([rules]): a consent separate from the
     * policy, asked once the policy is agreed; nothing a child does works before it. Always
     * [PromptKind.GUARDIAN_CONSENT].
     */
    data class ChildrenRulesAgreement(
        override val policyVersion: String,
        override val policyUrl: String,
        /** The rules to show, and the version to pass to [ConsentKit.agreeToChildrenRules]. */
        val rules: ChildrenRules,
        /** The necessary purposes the rules cover, with their texts. */
        val covers: List<PurposeInfo>,
    ) : Prompt() {
        override val kind: PromptKind get() = PromptKind.GUARDIAN_CONSENT
    }

    /**
     * Ask for one purpose on its own: in context ([PromptKind.JUST_IN_TIME]), again after its definition changed
     * ([PromptKind.RE_CONSENT]), or from a guardian ([PromptKind.GUARDIAN_CONSENT]).
     */
    data class Purpose(
        override val kind: PromptKind,
        override val policyVersion: String,
        override val policyUrl: String,
        /** The purpose asked for, with everything the user must be told. */
        val purpose: PurposeInfo,
    ) : Prompt()
}

/**
 * The app's children's personal-information rules (儿童个人信息保护规则) a guardian agrees to: a consent separate
 * from the privacy policy, which a child's necessary purposes ride on ([Prompt.ChildrenRulesAgreement]).
 */
data class ChildrenRules(
    /** The version to pass to [ConsentKit.agreeToChildrenRules]. */
    val version: String,
    /** Where the rules are published: show or link them. */
    val url: String,
)

/** Why a prompt is asked ([Prompt.kind]). */
enum class PromptKind {
    /** Agree to the privacy policy (first start, or after a decline once the cooldown ended). */
    POLICY_AGREEMENT,

    /** Ask for one purpose, in the context of the feature that needs it. */
    JUST_IN_TIME,

    /** Ask again after the policy or the purpose changed. */
    RE_CONSENT,

    /**
     * A guardian must answer (the user is under 14): the policy, the children's rules
     * ([Prompt.ChildrenRulesAgreement]) or one purpose. Answer with [Actor.GUARDIAN].
     */
    GUARDIAN_CONSENT,
}

/** What triggers a prompt ([ConsentKit.nextPrompt]). */
sealed class PromptTrigger {
    /** The app starts: policy agreement and re-consent. */
    data object AppStart : PromptTrigger()

    /** The user opens [feature]: just-in-time consent for its next richer tier (respects the cooldown). */
    data class Feature(
        /** Feature id. */
        val feature: String,
    ) : PromptTrigger() {
        /** With the generated typed id. */
        constructor(feature: FeatureId) : this(feature.id)
    }

    /**
     * The user asks from a settings screen to enable [purpose] (the cooldown does not apply). Also the way to show
     * the policy again after a decline, e.g. from a "sign in" button: `Settings` with a necessary purpose asks for
     * the policy while it is not agreed, whatever the decline cooldown.
     */
    data class Settings(
        /** Purpose id. */
        val purpose: String,
    ) : PromptTrigger() {
        /** With the generated typed id. */
        constructor(purpose: PurposeId) : this(purpose.id)
    }
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
