package com.example.ride

import dev.consentkit.ConsentKit
import dev.consentkit.Prompt
import dev.consentkit.PromptTrigger
import dev.consentkit.WriteResult
import dev.consentkit.use
import kotlinx.coroutines.runBlocking
import java.nio.file.Files

private fun describe(p: Prompt?): String = when (p) {
    null -> "none"
    is Prompt.Policy -> "${p.kind} policy ${p.policyVersion}"
    is Prompt.ChildrenRulesAgreement -> "${p.kind} children's rules ${p.rules.version}"
    is Prompt.Purpose -> "${p.kind} ${p.purpose.id}"
}

fun main() = runBlocking {
    val manifest = object {}.javaClass.getResource("/ride_hailing.json")!!.readText()
    val dir = Files.createTempDirectory("consentkit-jvm-app")
    try {
        // open and close are suspend functions: they touch the disk on Dispatchers.IO, not on this thread.
        ConsentKit.open(dir.resolve("consent.db").toString(), manifest).use { kit ->
            val first = kit.nextPrompt(PromptTrigger.AppStart)
            println("nextPrompt(AppStart): ${describe(first)}")
            println("decide(ride, destination) before: ${kit.decide("ride", "destination")}")

            if (first is Prompt.Policy) {
                val agreed = kit.agreeToPolicy(first.policyVersion, first.answeredBy, source = "welcome_screen")
                println("agreeToPolicy(${first.policyVersion}): $agreed")
            }

            println("decide(ride, destination): ${kit.decide("ride", "destination")}")
            // Location is asked for in context, when the user opens the pickup screen; until then pickup degrades.
            println("resolve(pickup): ${kit.resolve("pickup").id}")
            val pickup = kit.nextPrompt(PromptTrigger.Feature("pickup"))
            println("nextPrompt(Feature(pickup)): ${describe(pickup)}")

            if (pickup is Prompt.Purpose) {
                when (val granted = kit.grant(pickup.purpose.id, pickup.answeredBy, source = "pickup_prompt")) {
                    WriteResult.Recorded -> println("granted ${pickup.purpose.id}")
                    is WriteResult.Refused -> println("not granted: ${granted.reason}")
                }
            }
            println("resolve(pickup): ${kit.resolve("pickup").id}")
        }
        println("closed")
    } finally {
        dir.toFile().deleteRecursively()
    }
}
