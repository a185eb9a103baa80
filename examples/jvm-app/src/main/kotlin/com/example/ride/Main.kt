package com.example.ride

import dev.consentkit.ConsentKit
import dev.consentkit.Prompt
import dev.consentkit.PromptTrigger
import kotlinx.coroutines.runBlocking
import java.nio.file.Files

private fun describe(p: Prompt?): String =
    if (p == null) "none" else "${p.kind} ${p.purpose?.id ?: "policy ${p.policyVersion}"}"

fun main() = runBlocking {
    val manifest = object {}.javaClass.getResource("/ride_hailing.json")!!.readText()
    val dir = Files.createTempDirectory("consentkit-jvm-app")
    try {
        ConsentKit.open(dir.resolve("consent.db").toString(), manifest).use { kit ->
            val first = kit.nextPrompt(PromptTrigger.AppStart)
            println("nextPrompt(AppStart): ${describe(first)}")
            println("decide(ride, destination) before: ${kit.decide("ride", "destination")}")

            kit.agreeToPolicy(first!!.policyVersion, source = "welcome_screen")
            println("agreed to policy ${first.policyVersion}")

            println("decide(ride, destination): ${kit.decide("ride", "destination")}")
            // Location is asked for in context, when the user opens the pickup screen; until then pickup degrades.
            println("resolve(pickup): ${kit.resolve("pickup").id}")
            val pickup = kit.nextPrompt(PromptTrigger.Feature("pickup"))
            println("nextPrompt(Feature(pickup)): ${describe(pickup)}")

            kit.grant(pickup!!.purpose!!.id, source = "pickup_prompt")
            println("granted ${pickup.purpose!!.id}")
            println("resolve(pickup): ${kit.resolve("pickup").id}")
        }
        println("closed")
    } finally {
        dir.toFile().deleteRecursively()
    }
}
