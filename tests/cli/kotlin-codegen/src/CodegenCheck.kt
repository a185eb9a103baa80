// Uses the constants `consentkit codegen --lang kotlin --package check.ride_hailing` generates for
// examples/ride_hailing.json: the handles are the core's (purposes, features, third parties in manifest order).
package check

import check.ride_hailing.ConsentIds

fun main() {
    require(ConsentIds.Purpose.RIDE.handle == 0 && ConsentIds.Purpose.RIDE.id == "ride")
    require(ConsentIds.Purpose.LIVE_LOCATION.handle == 1)
    require(ConsentIds.Purpose.ADS.handle == 2)
    require(ConsentIds.Purpose.fromId("ads") == ConsentIds.Purpose.ADS)
    require(ConsentIds.Purpose.fromId("no_such_purpose") == null)
    require(ConsentIds.Feature.PICKUP.handle == 1)
    require(ConsentIds.PickupTier.LIVE_LOCATION.index == 0 && ConsentIds.PickupTier.TYPED_ADDRESS.index == 1)
    require(ConsentIds.ThirdParty.ADNET.id == "adnet" && ConsentIds.ThirdParty.ADNET.handle == 0)
    require(ConsentIds.DataType.values().all { it.handle in 0 until ConsentIds.DATA_TYPE_COUNT })
    require(ConsentIds.DataType.values().map { it.handle }.zipWithNext().all { (a, b) -> a < b })
    require(ConsentIds.HANDLES_FINGERPRINT.startsWith("sha256:") && ConsentIds.MANIFEST_SHA256.length == 64)
    require(ConsentIds.POLICY_VERSION == "2026-11-01")
    println("kotlin codegen check: ok (${ConsentIds.Purpose.values().size} purposes, ${ConsentIds.DataType.values().size} data types)")
}
