// Plugin versions for every module (see gradle/libs.versions.toml). AGP 9 compiles Kotlin itself (built-in
// Kotlin): no org.jetbrains.kotlin.android plugin.
plugins {
    alias(libs.plugins.android.library) apply false
    alias(libs.plugins.android.application) apply false
}
