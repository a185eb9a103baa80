// ConsentKit for Android: the library module (:consentkit) and a one-screen sample app (:sample).
// Builds the Rust core with cargo-ndk and generates the UniFFI Kotlin from the crate at the repo root (..).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "consentkit-android"
include(":consentkit", ":sample")
