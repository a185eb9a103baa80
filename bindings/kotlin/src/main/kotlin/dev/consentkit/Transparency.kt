package dev.consentkit

/**
 * What the app must show users about its data use (the collection list and the third-party sharing list, with the
 * real counts of the on-device access log), as [ConsentKit.transparencyLists] returns it. It exists so an app can
 * build its "what we collect" screen from the same facts the core enforces, without parsing JSON.
 */
data class TransparencyLists(
    /** One row per (purpose, data type), in manifest order. */
    val collection: List<CollectionRow>,
    /** One row per third party the manifest declares. */
    val sharing: List<SharingRow>,
)

/** One row of the personal-information collection list: what is collected, why, and how often it really was. */
data class CollectionRow(
    /** Purpose id. */
    val purpose: String,
    /** Why the data is collected (the manifest's purpose description). */
    val description: String,
    /** The lawful basis: `necessary` or `consent`. */
    val basis: String,
    /** Data type id. */
    val dataType: String,
    /** What the data type is, in words users understand. */
    val dataTypeDescription: String,
    /** The data type is sensitive personal information. */
    val sensitive: Boolean,
    /** How long the data is kept, in days, if the manifest says. */
    val retentionDays: Int?,
    /** Where the data is stored. */
    val storageRegion: String,
    /** The data is stored outside the app's home region. */
    val crossBorder: Boolean,
    /** Why the purpose needs its own consent (empty: the policy agreement or a plain opt-in covers it). */
    val separateConsent: Set<SeparateConsentReason>,
    /** Collections counted in the access log (pending counts are written first). */
    val count: Long,
    /** The last counted collection, UTC milliseconds, or null when none was counted. */
    val lastCollectedMs: Long?,
)

/** One row of the third-party sharing list: who receives data, what, for which purposes, and how often. */
data class SharingRow(
    /** Third-party id. */
    val recipient: String,
    /** Its name. */
    val name: String,
    /** The purposes it receives data for. */
    val purposes: List<String>,
    /** The data types it receives. */
    val dataTypes: List<String>,
    /** Where it processes the data. */
    val region: String,
    /** Its privacy contact, if the manifest gives one. */
    val contact: String?,
    /** Transfers counted in the access log. */
    val count: Long,
)

/** The kind of consent a [Receipt] records. */
enum class ReceiptEvent {
    /** The privacy policy was agreed to (covers the necessary purposes that need no consent of their own). */
    POLICY_AGREED,

    /** A purpose was granted. */
    GRANTED,
}

/** What later happened to the consent a [Receipt] records. */
enum class ReceiptState {
    /** Still in force. */
    GIVEN,

    /** Withdrawn later. */
    WITHDRAWN,

    /** Refused later. */
    REFUSED,

    /** Given again later (a newer receipt exists). */
    SUPERSEDED,

    /** The policy was declined later. */
    DECLINED,

    /** Erased at the user's request. */
    ERASED,

    /** No longer valid: the policy version or the purpose's definition changed since. */
    LAPSED,
}

/**
 * One consent receipt (after ISO/IEC TS 27560): the record of one consent given, as [ConsentKit.receipts] returns
 * it. It exists so the app can show users "what you agreed to, when" (PIPL's right of access) from the ledger.
 */
data class Receipt(
    /** Stable id (`urn:uuid:…`, derived from the ledger row's hash). */
    val id: String,
    /** What was consented to. */
    val event: ReceiptEvent,
    /** When, UTC milliseconds. */
    val timestampMs: Long,
    /** How consent was obtained: `policy_agreement`, `explicit_opt_in` or `separate_consent`. */
    val method: String,
    /** The screen or prompt that recorded it (the `source` of the write). */
    val source: String,
    /** Who consented. */
    val actor: Actor,
    /** The consent state now. */
    val state: ReceiptState,
    /** The privacy policy version in force when consent was given. */
    val policyVersion: String,
    /** The purposes it covers (one for a grant; those covered by the agreement for a policy agreement). */
    val purposes: List<String>,
    /** Per purpose in [purposes], the definition hash the user saw (null for purposes covered by the agreement). */
    val definitionHashes: Map<String, String?>,
    /** The ledger row it was made from. */
    val ledgerSeq: Long,
)

/** Decoding of the core's JSON documents into the types above. */
internal object TransparencyJson {
    fun lists(json: String): TransparencyLists {
        val doc = JsonObject.parse(json, "lists")
        return TransparencyLists(
            collection = doc.objects("collection").map { r ->
                CollectionRow(
                    purpose = r.string("purpose"),
                    description = r.string("description"),
                    basis = r.string("basis"),
                    dataType = r.string("data_type"),
                    dataTypeDescription = r.string("data_type_description"),
                    sensitive = r.bool("sensitive"),
                    retentionDays = r.longOrNull("retention_days")?.toInt(),
                    storageRegion = r.string("storage_region"),
                    crossBorder = r.bool("cross_border"),
                    separateConsent = r.strings("separate_consent").mapTo(LinkedHashSet()) { enumOf<SeparateConsentReason>(it) },
                    count = r.longOrNull("count") ?: 0,
                    lastCollectedMs = r.longOrNull("last_collected_ms"),
                )
            },
            sharing = doc.objects("sharing").map { r ->
                SharingRow(
                    recipient = r.string("recipient"),
                    name = r.string("name"),
                    purposes = r.strings("purposes"),
                    dataTypes = r.strings("data_types"),
                    region = r.string("region"),
                    contact = r.stringOrNull("contact"),
                    count = r.longOrNull("count") ?: 0,
                )
            },
        )
    }

    fun receipts(json: String): List<Receipt> = JsonObject.parse(json, "receipts").objects("receipts").map { r ->
        val purposes = r.objects("purposes")
        Receipt(
            id = r.string("receipt_id"),
            event = enumOf(r.string("event")),
            timestampMs = r.long("timestamp_ms"),
            method = r.string("method"),
            source = r.string("source"),
            actor = enumOf(r.string("actor")),
            state = enumOf(r.string("state")),
            policyVersion = r.obj("notice").string("version"),
            purposes = purposes.map { it.string("id") },
            definitionHashes = purposes.associate { it.string("id") to it.stringOrNull("definition_hash") },
            ledgerSeq = r.obj("ledger").long("seq"),
        )
    }

    private inline fun <reified E : Enum<E>> enumOf(snake: String): E =
        enumValues<E>().firstOrNull { it.name == snake.uppercase() }
            ?: throw ConsentKitException.Unexpected("the core sent an unknown ${E::class.simpleName} \"$snake\"")
}
