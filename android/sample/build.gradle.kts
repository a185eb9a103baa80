// One-screen sample: the ride-hailing pickup feature degrades from live location to a typed address when the
// user refuses location consent. Uses examples/ride_hailing.json from the repo root as its manifest asset.
import javax.inject.Inject

plugins {
    alias(libs.plugins.android.application)
}

android {
    namespace = "dev.consentkit.sample"
    compileSdk = 36

    defaultConfig {
        applicationId = "dev.consentkit.sample"
        minSdk = 23
        targetSdk = 36
        versionCode = 1
        versionName = "1.0"
        // The ABIs the library ships libconsentkit.so for (JNA's AAR also carries armeabi and mips: left out).
        ndk { abiFilters += providers.gradleProperty("consentkit.abis").get().split(',').map { it.trim() } }
    }

    buildTypes {
        release {
            // R8 on, so the sample proves the library's consumer rules (JNA, generated bindings).
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
            // Signed with the debug key so that a release build installs as is; never do this in a real app.
            signingConfig = signingConfigs.getByName("debug")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

/** Copies the example manifest into a generated assets directory (no second copy in the repository). */
abstract class ManifestAsset : DefaultTask() {
    @get:InputFile @get:PathSensitive(PathSensitivity.NONE) abstract val manifest: RegularFileProperty
    @get:OutputDirectory abstract val outputDir: DirectoryProperty
    @get:Inject abstract val fs: FileSystemOperations

    @TaskAction
    fun copy() {
        fs.sync {
            from(manifest)
            into(outputDir)
        }
    }
}

val manifestAsset = tasks.register<ManifestAsset>("consentManifestAsset") {
    manifest.set(rootDir.parentFile.resolve("examples/ride_hailing.json"))
    outputDir.set(layout.buildDirectory.dir("generated/consentAssets"))
}

androidComponents {
    onVariants { variant ->
        variant.sources.assets?.addGeneratedSourceDirectory(manifestAsset, ManifestAsset::outputDir)
    }
}

dependencies {
    implementation(project(":consentkit"))
    implementation(libs.androidx.activity)
    implementation(libs.androidx.lifecycle.runtime.ktx)
}
