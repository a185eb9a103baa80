package dev.consentkit

import dev.consentkit.internal.HandleTable

/**
 * The ids behind the core's integer handles, fixed for an open instance (from `handles()`, fetched once at open),
 * and the id → handle maps ([IdTable]) the facade's hot path uses instead of crossing the boundary with strings.
 */
internal class HandleIndex(table: HandleTable) {
    // Interned: string constants in the app's code are interned too, so the lookups' identity checks hit (and
    // PairTable, which hashes identities, finds them at the first probe).
    val purposes: List<String> = table.purposes.map { it.intern() }
    val dataTypes: List<String> = table.dataTypes.map { it.intern() }
    val features: List<String> = table.features.map { it.intern() }
    val tiers: List<List<String>> = table.tiers
    val thirdParties: List<String> = table.thirdParties.map { it.intern() }

    private val purposeHandles = IdTable(purposes)
    private val dataTypeHandles = IdTable(dataTypes)
    private val featureHandles = IdTable(features)
    private val thirdPartyHandles = IdTable(thirdParties)

    /** (purpose, data type) → slot → index into the decision table (`purpose * dataTypes + dataType`). */
    val pairs = PairTable(purposeHandles, dataTypeHandles, purposes, dataTypes)

    /** Handle of a purpose id, or -1. */
    fun purpose(id: String): Int = purposeHandles[id]

    /** Handle of a data type id, or -1. */
    fun dataType(id: String): Int = dataTypeHandles[id]

    /** Handle of a feature id, or -1. */
    fun feature(id: String): Int = featureHandles[id]

    /** Handle of a third-party id, or -1. */
    fun thirdParty(id: String): Int = thirdPartyHandles[id]
}
