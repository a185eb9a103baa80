// Uses the constants `consentkit codegen --lang swift --prefix RideHailing` generates for
// examples/ride_hailing.json: the handles are the core's (purposes, features, third parties in manifest order).
typealias Ids = RideHailingConsentIds

precondition(Ids.Purpose.ride.handle == 0 && Ids.Purpose.ride.id == "ride")
precondition(Ids.Purpose.liveLocation.rawValue == 1)
precondition(Ids.Purpose.ads.handle == 2)
precondition(Ids.Purpose(id: "ads") == .ads)
precondition(Ids.Purpose(id: "no_such_purpose") == nil)
precondition(Ids.Feature.pickup.handle == 1)
precondition(Ids.PickupTier.liveLocation.index == 0 && Ids.PickupTier.typedAddress.index == 1)
precondition(Ids.ThirdParty.adnet.id == "adnet" && Ids.ThirdParty.adnet.handle == 0)
precondition(Ids.DataType.allCases.allSatisfy { $0.handle < Ids.dataTypeCount })
precondition(Ids.handlesFingerprint.hasPrefix("sha256:") && Ids.manifestSHA256.count == 64)
precondition(Ids.policyVersion == "2026-11-01")
print("swift codegen check: ok (\(Ids.Purpose.allCases.count) purposes, \(Ids.DataType.allCases.count) data types)")
