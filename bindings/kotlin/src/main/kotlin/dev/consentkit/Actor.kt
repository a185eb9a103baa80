package dev.consentkit

/** Who gives or changes consent. Recorded in the consent ledger. */
enum class Actor {
    /** The user. */
    USER,

    /** The user's parent or guardian (required while [AgeBracket.UNDER_14]). */
    GUARDIAN,
}
