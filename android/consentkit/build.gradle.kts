// The ConsentKit Android library (AAR), published as dev.consentkit:consentkit-android:
//  - the Rust core, cross-compiled by cargo-ndk for every ABI into build/rustJniLibs (packaged as jniLibs);
//  - the UniFFI Kotlin bindings, generated in library mode by the crate's own uniffi-bindgen into
//    build/generated/uniffi (package dev.consentkit.internal, never checked in);
//  - the hand-written facade from ../bindings/kotlin/src/main/kotlin (the same files the JVM build tests) plus the
//    Android-only helpers in src/main/kotlin (dev.consentkit.android);
//  - JNA as an AAR (its libjnidispatch.so per ABI) and consumer R8 rules for JNA and the generated classes.
import javax.inject.Inject

plugins {
    alias(libs.plugins.android.library)
    `maven-publish`
}

// The AAR's coordinates: dev.consentkit:consentkit-android (the desktop JVM jar of bindings/kotlin is
// dev.consentkit:consentkit). `./gradlew :consentkit:publishToMavenLocal` puts it in ~/.m2.
group = "dev.consentkit"
version = "0.1.0-SNAPSHOT"

/** The Rust crate: the repository root, one level above android/. */
val rustCrateDir: File = rootDir.parentFile
val rustAbis: List<String> = providers.gradleProperty("consentkit.abis").get().split(',').map { it.trim() }
val minSdkVersion = 23

android {
    namespace = "dev.consentkit"
    compileSdk = 36
    // The NDK cargo-ndk builds with (AGP 9.5's default); install it with the SDK manager.
    ndkVersion = "28.2.13676358"

    defaultConfig {
        // 23, not 21: AndroidKeystoreDeviceKey needs KeyGenParameterSpec (API 23). The library uses framework APIs
        // only (no AndroidX); the core and JNA run on 21.
        minSdk = minSdkVersion
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    publishing {
        singleVariant("release") {
            withSourcesJar()
        }
    }
}

publishing {
    publications {
        register<MavenPublication>("release") {
            groupId = "dev.consentkit"
            artifactId = "consentkit-android"
            version = project.version.toString()
            afterEvaluate { from(components["release"]) }
        }
    }
}

dependencies {
    // The generated bindings call the core through JNA; the AAR carries libjnidispatch.so for each ABI.
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    // In the public API: StateFlow, CoroutineDispatcher. Nothing from AndroidX: the background flush uses the
    // framework's ActivityLifecycleCallbacks / ComponentCallbacks2 (AppLifecycleHooks).
    api(libs.kotlinx.coroutines.android)
}

/** `cargo ndk`: the core for every ABI, as `<outputDir>/<abi>/libconsentkit.so`. */
abstract class CargoNdkBuild : DefaultTask() {
    @get:Input abstract val abis: ListProperty<String>
    @get:Input abstract val platform: Property<Int>
    @get:Internal abstract val crateDir: DirectoryProperty
    @get:InputFiles @get:PathSensitive(PathSensitivity.RELATIVE) abstract val crateSources: ConfigurableFileCollection
    @get:Internal abstract val ndkDir: DirectoryProperty
    @get:OutputDirectory abstract val outputDir: DirectoryProperty
    @get:Inject abstract val exec: ExecOperations

    @TaskAction
    fun build() {
        val out = outputDir.get().asFile
        out.deleteRecursively()
        exec.exec {
            workingDir = crateDir.get().asFile
            executable = "cargo"
            args(listOf("ndk") + abis.get().flatMap { listOf("-t", it) } +
                listOf("--platform", platform.get().toString(), "-o", out.absolutePath, "build", "--release", "--lib"))
            ndkDir.orNull?.let { environment("ANDROID_NDK_HOME", it.asFile.absolutePath) }
        }
    }
}

/**
 * The Kotlin bindings, generated in library mode from a host build of the crate (the generated code does not
 * depend on the ABI; the release .so files are stripped, the host debug build keeps the metadata bindgen reads).
 */
abstract class UniffiBindgen : DefaultTask() {
    @get:Internal abstract val crateDir: DirectoryProperty
    @get:InputFiles @get:PathSensitive(PathSensitivity.RELATIVE) abstract val crateSources: ConfigurableFileCollection
    @get:OutputDirectory abstract val outputDir: DirectoryProperty
    @get:Inject abstract val exec: ExecOperations

    @TaskAction
    fun generate() {
        val root = crateDir.get().asFile
        val os = System.getProperty("os.name").lowercase()
        val library = when {
            os.contains("mac") -> "libconsentkit.dylib"
            os.contains("win") -> "consentkit.dll"
            else -> "libconsentkit.so"
        }
        val bindgen = if (os.contains("win")) "uniffi-bindgen.exe" else "uniffi-bindgen"
        exec.exec {
            workingDir = root
            commandLine("cargo", "build", "--features", "bindgen")
        }
        val out = outputDir.get().asFile
        out.deleteRecursively()
        // Run inside the crate: uniffi-bindgen finds uniffi.toml (package dev.consentkit.internal,
        // the Kotlin rename of the core's close()) via cargo metadata.
        exec.exec {
            workingDir = root
            commandLine(
                root.resolve("target/debug/$bindgen").absolutePath, "generate",
                "--library", root.resolve("target/debug/$library").absolutePath,
                "--language", "kotlin", "--out-dir", out.absolutePath, "--no-format",
            )
        }
    }
}

val rustCrateSources = files(
    rustCrateDir.resolve("Cargo.toml"),
    rustCrateDir.resolve("Cargo.lock"),
    rustCrateDir.resolve("uniffi.toml"),
    fileTree(rustCrateDir.resolve("src")),
)

val cargoNdkBuild = tasks.register<CargoNdkBuild>("cargoNdkBuild") {
    description = "Builds libconsentkit.so for ${rustAbis.joinToString()} with cargo-ndk."
    abis.set(rustAbis)
    platform.set(minSdkVersion)
    crateDir.set(rustCrateDir)
    crateSources.from(rustCrateSources)
    ndkDir.set(androidComponents.sdkComponents.ndkDirectory)
    outputDir.set(layout.buildDirectory.dir("rustJniLibs"))
}

val generateUniffiBindings = tasks.register<UniffiBindgen>("generateUniffiBindings") {
    description = "Generates the UniFFI Kotlin bindings (dev.consentkit.internal) from a host build of the core."
    crateDir.set(rustCrateDir)
    crateSources.from(rustCrateSources)
    outputDir.set(layout.buildDirectory.dir("generated/uniffi/kotlin"))
}

androidComponents {
    onVariants { variant ->
        // Wired as generated directories: AGP runs the tasks before compiling Kotlin and merging jniLibs.
        variant.sources.jniLibs?.addGeneratedSourceDirectory(cargoNdkBuild, CargoNdkBuild::outputDir)
        variant.sources.kotlin?.addGeneratedSourceDirectory(generateUniffiBindings, UniffiBindgen::outputDir)
        // The facade: one copy, shared with the JVM build and its tests.
        variant.sources.kotlin?.addStaticSourceDirectory(rustCrateDir.resolve("bindings/kotlin/src/main/kotlin").absolutePath)
        // The typed-id interfaces the `consentkit codegen` enums implement (dev.consentkit.PurposeId, ...).
        variant.sources.kotlin?.addStaticSourceDirectory(rustCrateDir.resolve("bindings/kotlin/src/ids/kotlin").absolutePath)
    }
}
