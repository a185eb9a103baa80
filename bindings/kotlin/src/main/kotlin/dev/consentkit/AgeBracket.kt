package dev.consentkit

/** The user's age bracket ([ConsentKit.setAgeBracket]). */
enum class AgeBracket {
    /** Not known (treated as adult). */
    UNKNOWN,

    /** Under 14: only a guardian's agreement and grants count (cn-2021). */
    UNDER_14,

    /** 14 to 17. */
    TEEN,

    /** 18 or older. */
    ADULT,
}
