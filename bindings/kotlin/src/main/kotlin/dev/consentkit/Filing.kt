package dev.consentkit

/** The app's MIIT filing number and the link where users check it; show both in the app (cn-2021). */
data class Filing(
    /** The filing number, e.g. `沪ICP备12345678号-3A`. */
    val number: String,
    /** The MIIT filing-system URL. */
    val url: String,
)
