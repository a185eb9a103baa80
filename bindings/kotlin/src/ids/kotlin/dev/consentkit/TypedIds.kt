package dev.consentkit

// The shapes of the typed ids `consentkit codegen --lang kotlin` generates (docs/cli.md): each generated enum
// implements one of these, so app code passes `ConsentIds.Purpose.RIDE` where the facade takes a purpose and a
// misspelt id does not compile. Kept in their own source root (src/ids/kotlin) so tests/cli can compile generated
// files against them without the rest of the facade. Strings stay accepted everywhere.

/** A purpose id (a generated `ConsentIds.Purpose` constant). */
public interface PurposeId {
    /** The manifest id. */
    public val id: String
}

/** A data type id (a generated `ConsentIds.DataType` constant). */
public interface DataTypeId {
    /** The manifest id. */
    public val id: String
}

/** A feature id (a generated `ConsentIds.Feature` constant). */
public interface FeatureId {
    /** The manifest id. */
    public val id: String
}

/** A tier id of one feature (a generated `ConsentIds.<Feature>Tier` constant); compare with [Tier.id]. */
public interface TierId {
    /** The manifest id. */
    public val id: String
}

/** A third-party id (a generated `ConsentIds.ThirdParty` constant). */
public interface ThirdPartyId {
    /** The manifest id. */
    public val id: String
}
