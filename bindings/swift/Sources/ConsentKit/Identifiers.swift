/// Typed ids: what ``ConsentStore`` calls take where a manifest id goes.
///
/// They exist so an app calls the store with the constants `consentkit codegen --lang swift` generates from its
/// manifest (`store.decide(Ids.Purpose.liveLocation, Ids.DataType.location)`): a misspelt id then fails to
/// compile instead of throwing ``ConsentKitError/unknownId(kind:id:)`` at run time, and a renamed id shows every
/// call site. The generated enums conform (the file ends with the conformances); `String` conforms too, so plain
/// ids keep working (`store.decide("live_location", "location")`). See bindings/swift/README.md, "Typed ids".

/// A purpose of the manifest: a generated `<Prefix>ConsentIds.Purpose` case, or its id as a `String`.
public protocol PurposeID: Sendable {
    /// The id as the manifest spells it.
    var manifestID: String { get }
}

/// A data type: a generated `<Prefix>ConsentIds.DataType` case, or its id as a `String`.
public protocol DataTypeID: Sendable {
    /// The id as the manifest (or the rule pack's vocabulary) spells it.
    var manifestID: String { get }
}

/// A feature: a generated `<Prefix>ConsentIds.Feature` case, or its id as a `String`.
public protocol FeatureID: Sendable {
    /// The id as the manifest spells it.
    var manifestID: String { get }
}

/// A third party: a generated `<Prefix>ConsentIds.ThirdParty` case, or its id as a `String`.
public protocol ThirdPartyID: Sendable {
    /// The id as the manifest spells it.
    var manifestID: String { get }
}

/// The tiers of one feature: a generated `<Prefix>ConsentIds.<Feature>Tier` enum. Read a resolved tier as one
/// with ``Tier/tier(as:)``.
public protocol TierID: Sendable {
    /// The tier with this manifest id, or `nil`.
    init?(id: String)
}

extension String: PurposeID, DataTypeID, FeatureID, ThirdPartyID {
    /// The string itself: a plain id.
    public var manifestID: String { self }
}
