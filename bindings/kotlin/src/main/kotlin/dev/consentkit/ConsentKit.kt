package dev.consentkit

import dev.consentkit.internal.ConsentStatus
import dev.consentkit.internal.HandleKind
import dev.consentkit.internal.OpenOptions
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import dev.consentkit.internal.ConsentKit as CoreKit
import dev.consentkit.internal.IntegrityCheck as CoreIntegrityCheck

/**
 * The consent gate of one app: ask it before touching personal information, and offer the feature tier it names
 * when the answer is no. Open one instance per process (e.g. in `Application.onCreate`) and share it; it is
 * thread-safe.
 *
 * ```
 * // Purpose, DataType, Feature: the typed ids `consentkit codegen` generates (strings work too)
 * val kit = ConsentKit.open(File(context.noBackupFilesDir, "consent.db").path, manifestJson)   // suspend, on IO
 * val prompt = kit.nextPrompt(PromptTrigger.AppStart)
 * if (prompt is Prompt.Policy && showPolicy(prompt)) kit.agreeToPolicy(prompt.policyVersion, prompt.answeredBy)
 * if (kit.decide(Purpose.LIVE_LOCATION, DataType.LOCATION).isAllowed) startLocationUpdates()
 * val pickup = kit.resolve(Feature.PICKUP)                              // tier "live_location" or "typed_address"
 * ```
 *
 * Every call that takes an id takes either the manifest's id string or the constant `consentkit codegen` generates
 * for it ([PurposeId], [DataTypeId], [FeatureId], [ThirdPartyId]); the constants make a misspelt id a compile error.
 *
 * **Reads are local.** [decide] and [resolve] answer from a mirror of the core's decision table that the core
 * pushes after every change (a hash lookup, no JNI/JNA call), so they are cheap enough for every sensor event and
 * safe on the main thread. [collect] also answers locally and counts in memory, except for data types with a
 * frequency limit, where the core must answer now.
 *
 * **Writes are durable.** [grant], [withdraw] and the other `suspend` writes run on the dispatcher given to [open]
 * (`Dispatchers.IO` by default), return once the change is on disk, and after they return every read of this
 * instance — [decide], [resolve], [state] — already reflects the change. A write the core refuses for an expected
 * reason (a separate consent bundled, a guardian needed, a stale policy version) returns [WriteResult.Refused];
 * exceptions ([ConsentKitException]) are for real failures.
 *
 * [open] and [close] are `suspend` (they read and write the database on the dispatcher); Java and other blocking
 * callers use [openBlocking] and [closeBlocking]. Close it with [close] (it flushes the access counts), or scope it
 * with [use]. Writes and prompts take an [Actor] (default: the user) and a
 * `source`, a short label of the screen or prompt where the user acted, kept in the consent ledger.
 */
class ConsentKit private constructor(
    /** The generated core object (tests and benchmarks only). */
    internal val core: CoreKit,
    private val options: ConsentKitOptions,
    private val dispatcher: CoroutineDispatcher,
    initial: ConsentStatus,
    /** The manifest's children's-rules version, to tell a stale version from other invalid arguments. */
    private val childrenRulesVersion: String?,
) {
    private val handles = HandleIndex(callCore { core.handles() })
    private val pairs = handles.pairs

    /** [PairTable.keys] and [PairTable.shift] of [pairs], held here for the first probe of [slotOf]. */
    private val pairKeys = pairs.keys
    private val pairShift = pairs.shift
    private val manualClock = options.manualClockStartMs != null

    private val counters = AccessCounters(
        width = handles.dataTypes.size,
        // The core marks pairs the manifest does not declare with NOT_DECLARED; that never changes.
        declared = initial.decisions.codes.let { codes -> BooleanArray(codes.size) { codes[it].toInt() != DenyReason.NOT_DECLARED.code } },
        batchSize = options.collectBatchSize.toLong(),
    )

    /** The decision mirror: replaced as a whole on each state change; read without a lock. */
    @Volatile
    private var mirror: DecisionMirror = DecisionMirror.of(initial.decisions, handles, counters::counterOf)
    private val publishLock = Any()
    private val mutableState = MutableStateFlow(initial.toPublic())

    /**
     * The current consent state: the value at open, then every change (this instance's writes, [refresh], and the
     * end of a cooldown, which turns [Tier.canAskNow] back on). Collect it to update consent screens; `state.value`
     * is already current when a write returns.
     */
    val state: StateFlow<ConsentState> = mutableState.asStateFlow()

    private val scope = CoroutineScope(SupervisorJob() + dispatcher)
    private val closed = AtomicBoolean(false)
    private val flushLock = Any()
    private val flushQueued = AtomicBoolean(false)
    private val countsSent = AtomicLong()
    private val timerLock = Any()

    /** The one-shot flush timer: set only while access counts are pending (guarded by [timerLock]). */
    private var flushTimer: Job? = null

    /** Whether [flushTimer] is set: read by every counted collection without taking [timerLock]. */
    @Volatile
    private var timerArmed = false
    private var cooldownJob: Job? = null
    private var cooldownAt = Long.MAX_VALUE
    private val observer = StateObserver(::publish)
    private val observerId: ULong

    init {
        observerId = callCore { core.addObserver(observer) }
        scheduleCooldownRefresh(mirror)
    }

    // ---------------------------------------------------------------- reads (local, any thread)

    /**
     * May [dataType] be collected for [purpose] now? Answered from the local mirror: no call into the core, no I/O.
     * Use [collect] when you actually collect (it also counts and applies frequency limits).
     *
     * @throws ConsentKitException.UnknownId if the manifest declares no such purpose or data type.
     * @throws ConsentKitException.Closed after [close].
     */
    fun decide(purpose: String, dataType: String): Decision {
        // Kept small on purpose: the JIT inlines it into the caller only if its compiled code is small. One bounds
        // check covers an unknown id (-1) and a closed instance (its mirror has no decisions). Written as two signed
        // comparisons, the JIT merges it with the array's own check; an unsigned comparison (UInt) stays a second one.
        val slot = slotOf(purpose, dataType)
        val decisions = mirror.decisionsBySlot
        if (slot < 0 || slot >= decisions.size) decideFailed(purpose, dataType)
        return decisions[slot]
    }

    /** [decide] with the generated typed ids. */
    fun decide(purpose: PurposeId, dataType: DataTypeId): Decision = decide(purpose.id, dataType.id)

    /**
     * Resolves ([purpose], [dataType]) once for [decide] / [collect] calls on a per-event path.
     *
     * @throws ConsentKitException.UnknownId if the manifest declares no such purpose or data type.
     */
    fun dataUse(purpose: String, dataType: String): DataUse {
        val slot = pairs.slotOf(purpose, dataType)
        if (slot < 0) unknownPair(purpose, dataType)
        return DataUse(purpose, dataType, pairs, slot)
    }

    /** [dataUse] with the generated typed ids. */
    fun dataUse(purpose: PurposeId, dataType: DataTypeId): DataUse = dataUse(purpose.id, dataType.id)

    /** [decide] for a pair resolved with [dataUse]: one array read. */
    fun decide(use: DataUse): Decision {
        if (use.table !== pairs) return decide(use.purpose, use.dataType)
        val decisions = mirror.decisionsBySlot
        if (use.slot >= decisions.size) throw ConsentKitException.Closed()
        return decisions[use.slot]
    }

    /** [collect] (for the app itself) for a pair resolved with [dataUse]. */
    fun collect(use: DataUse): Decision {
        val m = mirror
        if (use.table !== pairs || m.closed) return collect(use.purpose, use.dataType)
        val counter = m.countersBySlot[use.slot]
        if (counter < 0) return collectAt(use.slot, m)
        counted(counter)
        return Decision.Allowed
    }

    /**
     * The tier of [feature] to offer now, which purposes the next richer tier lacks, and whether the app may ask for
     * them now. Answered from the local mirror (refreshed from the core when a cooldown has just ended).
     *
     * @throws ConsentKitException.UnknownId if the manifest declares no such feature.
     * @throws ConsentKitException.Closed after [close].
     */
    fun resolve(feature: FeatureId): Tier = resolve(feature.id)

    /** [resolve] by the feature's id string. */
    fun resolve(feature: String): Tier {
        val f = handles.feature(feature)
        if (f < 0) unknownId(HandleKind.FEATURE, feature)
        var m = mirror
        if (m.closed) throw ConsentKitException.Closed()
        if (!manualClock && m.nextChangeMs != Long.MAX_VALUE && System.currentTimeMillis() >= m.nextChangeMs) {
            // A cooldown ended and the timer has not caught up yet (e.g. the device slept): ask the core once.
            refreshFromCore()
            m = mirror
            if (m.closed) throw ConsentKitException.Closed()
        }
        return m.tiers[f]
    }

    /**
     * The tier of [feature] now, then each time it changes (a write, [refresh], the end of a cooldown): for a view
     * that shows one feature. Emits [resolve]'s value at once; equal tiers in a row are emitted once.
     *
     * @throws ConsentKitException.UnknownId (when called) if the manifest declares no such feature.
     */
    fun tierFlow(feature: FeatureId): Flow<Tier> = tierFlow(feature.id)

    /** [tierFlow] by the feature's id string. */
    fun tierFlow(feature: String): Flow<Tier> {
        val f = handles.feature(feature)
        if (f < 0) unknownId(HandleKind.FEATURE, feature)
        return state.map { it.features[f] }.distinctUntilChanged()
    }

    /**
     * Collects [dataType] for [purpose] (and gives it to [recipient], a third-party id, when set): allowed when the
     * decision allows it, the recipient is declared for the purpose, and the data type's frequency limit leaves
     * room. An allowed collection is counted in the access log (sent in batches; exact after [flush]).
     *
     * Crosses into the core for frequency-limited data types and for every collection with a [recipient] (only the
     * core knows a purpose's recipients; the Swift facade does the same); otherwise it is a local lookup plus a
     * count in memory (no atomic instruction on the first thread that collects; see [AccessCounters]).
     *
     * @throws ConsentKitException.UnknownId for an undeclared purpose, data type or third party.
     * @throws ConsentKitException.Closed after [close].
     */
    fun collect(purpose: String, dataType: String, recipient: String? = null): Decision {
        // The common case (the app collects for itself, no frequency limit) stays small, like decide().
        // One bounds check covers an unknown id (-1) and a closed instance (its mirror has no counters), as in decide.
        val slot = slotOf(purpose, dataType)
        val m = mirror
        val bySlot = m.countersBySlot
        if (slot < 0 || slot >= bySlot.size || recipient != null) return collectChecked(purpose, dataType, recipient)
        val counter = bySlot[slot]
        if (counter < 0) return collectAt(slot, m)
        counted(counter)
        return Decision.Allowed
    }

    /** [collect] with the generated typed ids. */
    fun collect(purpose: PurposeId, dataType: DataTypeId, recipient: ThirdPartyId? = null): Decision =
        collect(purpose.id, dataType.id, recipient?.id)

    /**
     * Runs [block] only if collecting [dataType] for [purpose] (and [recipient]) is allowed now, counting it like
     * [collect]; returns the block's value, or why it did not run.
     */
    inline fun <T> withConsent(
        purpose: String,
        dataType: String,
        recipient: String? = null,
        block: () -> T,
    ): ConsentResult<T> = when (val result = collect(purpose, dataType, recipient)) {
        Decision.Allowed -> ConsentResult.Allowed(block())
        is Decision.Denied -> result
    }

    /** [withConsent] with the generated typed ids. */
    inline fun <T> withConsent(
        purpose: PurposeId,
        dataType: DataTypeId,
        recipient: ThirdPartyId? = null,
        block: () -> T,
    ): ConsentResult<T> = withConsent(purpose.id, dataType.id, recipient?.id, block)

    /** [withConsent] for a pair resolved with [dataUse]. */
    inline fun <T> withConsent(use: DataUse, block: () -> T): ConsentResult<T> =
        when (val result = collect(use)) {
            Decision.Allowed -> ConsentResult.Allowed(block())
            is Decision.Denied -> result
        }

    /** The whole consent state, read from the core now (normally [state]`.value` is what you want). */
    fun status(): ConsentState {
        ensureOpen()
        return callCore { core.status() }.toPublic()
    }

    /**
     * May data be given to [recipient] (a third-party id) now for [purpose]: the purpose names it as a recipient and
     * is allowed? Transfers are per purpose: a recipient serving a granted and a refused purpose gets data only for
     * the granted one, so ask with the purpose the data is shared for.
     *
     * @throws ConsentKitException.UnknownId if the manifest declares no such third party or purpose.
     * @throws ConsentKitException.Closed after [close].
     */
    fun mayTransfer(recipient: String, purpose: String): Boolean {
        ensureOpen()
        return callCore { core.mayTransfer(recipient, purpose) }
    }

    /** [mayTransfer] with the generated typed ids. */
    fun mayTransfer(recipient: ThirdPartyId, purpose: PurposeId): Boolean = mayTransfer(recipient.id, purpose.id)

    /** May the SDK of [thirdParty] be initialised now (policy agreed and each of its `init_requires` allowed)? */
    fun mayInitialize(thirdParty: String): Boolean {
        ensureOpen()
        return callCore { core.mayInitialize(thirdParty) }
    }

    /** [mayInitialize] with the generated typed id. */
    fun mayInitialize(thirdParty: ThirdPartyId): Boolean = mayInitialize(thirdParty.id)

    /**
     * The core's current time (UTC ms): with [ConsentKitOptions.manualClockStartMs], the manual clock's reading —
     * the start plus every [advanceClock] — so a demo or test can show the time cooldowns and frequency windows are
     * measured against; otherwise the device's time as the core sees it.
     *
     * @throws ConsentKitException.Closed after [close].
     */
    fun nowMs(): Long {
        ensureOpen()
        return closedIfDestroyed { callCore { core.nowMs() } }
    }

    /** The app filing number and the link to show next to it, if the manifest has one. */
    fun filing(): Filing? {
        ensureOpen()
        return callCore { core.filing() }?.let { Filing(it.number, it.url) }
    }

    // ---------------------------------------------------------------- prompts and writes (suspend, on the dispatcher)

    /**
     * What to ask the user now for [trigger], or null when nothing should be asked (e.g. during a cooldown). See
     * [Prompt] for how to answer each kind.
     */
    suspend fun nextPrompt(trigger: PromptTrigger): Prompt? = onDispatcher {
        val prompt = callCore { core.nextPrompt(trigger.toCore()) }
        // The core asks for the children's rules on their own only once the policy is agreed.
        prompt?.toPublic(policyAgreed = callCore { core.status() }.policyAgreed)
    }

    /**
     * The user (or, under 14, the guardian) agrees to the privacy policy [version] — the [Prompt.policyVersion]
     * of the [Prompt.Policy] that was shown, which must be the manifest's current one.
     *
     * @return [WriteResult.Recorded], or [WriteResult.Refused] with [WriteRefusal.StaleVersion] (not the current
     *   version) or [WriteRefusal.GuardianRequired] (the user is under 14 and [actor] is not the guardian).
     * @throws ConsentKitException.InvalidArgument if [source] is longer than 256 bytes.
     */
    suspend fun agreeToPolicy(version: String, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): WriteResult =
        refusable(AgreedDocument.PRIVACY_POLICY, version) { core.agreeToPolicy(version, actor.toCore(), source) }

    /**
     * The guardian agrees to the app's children's personal-information rules [version] — the
     * [ChildrenRules.version] of a [Prompt.ChildrenRulesAgreement]. It is a consent separate from the policy: a
     * child's necessary purposes are allowed only once the guardian has agreed to both. [actor] has no default:
     * only [Actor.GUARDIAN] may agree, and the app must say it is the guardian who did.
     *
     * @return [WriteResult.Recorded], or [WriteResult.Refused] with [WriteRefusal.GuardianRequired] ([actor] is
     *   [Actor.USER]) or [WriteRefusal.StaleVersion] (not the manifest's children's-rules version).
     * @throws ConsentKitException.InvalidArgument if the manifest has no children's rules, or [source] is longer
     *   than 256 bytes.
     */
    suspend fun agreeToChildrenRules(version: String, actor: Actor, source: String = DEFAULT_SOURCE): WriteResult =
        refusable(AgreedDocument.CHILDREN_RULES, version) { core.agreeToChildrenRules(version, actor.toCore(), source) }

    /** The user declines the privacy policy: the app runs in browse mode and does not ask again during the cooldown. */
    suspend fun declinePolicy(source: String = DEFAULT_SOURCE): Unit = write { core.declinePolicy(source) }

    /**
     * Grants one [purpose] (the answer to its [Prompt.Purpose]).
     *
     * @return [WriteResult.Recorded], or [WriteResult.Refused] with [WriteRefusal.GuardianRequired] if the user is
     *   under 14 and [actor] is not the guardian.
     */
    suspend fun grant(purpose: String, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): WriteResult =
        refusable { core.grant(purpose, actor.toCore(), source) }

    /** [grant] with the generated typed id. */
    suspend fun grant(purpose: PurposeId, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): WriteResult =
        grant(purpose.id, actor, source)

    /**
     * Grants several purposes from one "agree to all" action, e.g. a settings screen's switch.
     *
     * @return [WriteResult.Recorded], or [WriteResult.Refused] with [WriteRefusal.SeparateConsentRequired] if any
     *   of them needs separate consent — even a list of one: a separate consent is asked and granted on its own,
     *   with [grant]; for a child under 14 every purpose is a separate consent, so it is always refused — or with
     *   [WriteRefusal.GuardianRequired]. Nothing is granted then.
     * @throws ConsentKitException.InvalidArgument for an empty list.
     */
    suspend fun grantAll(purposes: List<String>, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): WriteResult =
        refusable { core.grantAll(purposes, actor.toCore(), source) }

    /** [grantAll] with the generated typed ids. */
    @JvmName("grantAllIds")
    suspend fun grantAll(purposes: List<PurposeId>, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): WriteResult =
        grantAll(purposes.map { it.id }, actor, source)

    /**
     * The user refused the prompt for [purpose]: it is not proposed again during the cooldown (48 h in cn-2021).
     * Never refused by the core (anyone may say no), so it returns nothing.
     */
    suspend fun refuse(purpose: String, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): Unit =
        write { core.refuse(purpose, actor.toCore(), source) }

    /** [refuse] with the generated typed id. */
    suspend fun refuse(purpose: PurposeId, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): Unit =
        refuse(purpose.id, actor, source)

    /** Withdraws consent for [purpose]; effective for every read once this returns. Never refused by the core. */
    suspend fun withdraw(purpose: String, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): Unit =
        write { core.withdraw(purpose, actor.toCore(), source) }

    /** [withdraw] with the generated typed id. */
    suspend fun withdraw(purpose: PurposeId, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): Unit =
        withdraw(purpose.id, actor, source)

    /**
     * Sets the user's age bracket (under 14: only a guardian's agreement and grants count). Only the guardian may
     * move a child out of [AgeBracket.UNDER_14]; [eraseAll] keeps that bracket.
     *
     * @return [WriteResult.Recorded], or [WriteResult.Refused] with [WriteRefusal.GuardianRequired] if the user is
     *   under 14, the new bracket is another one and [actor] is not the guardian.
     */
    suspend fun setAgeBracket(bracket: AgeBracket, actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): WriteResult =
        refusable { core.setAgeBracket(bracket.toCore(), actor.toCore(), source) }

    /**
     * Erases the consent state and the access log at the user's request (counts not yet sent are dropped too).
     * The consent ledger keeps the record of what was consented and of the erasure. A child stays under 14: the age
     * bracket [AgeBracket.UNDER_14] is kept (only the guardian moves a child out of it, with [setAgeBracket]).
     */
    suspend fun eraseAll(actor: Actor = Actor.USER, source: String = DEFAULT_SOURCE): Unit = write {
        synchronized(flushLock) {
            disarmFlushTimer()
            counters.drain()
        }
        core.eraseAll(actor.toCore(), source)
    }

    /** Picks up consent changes written by another process on the same database file. */
    suspend fun refresh(): Unit = write { core.refresh() }

    /**
     * Sends the pending access counts to the core and writes them to the access log now. Also done every
     * [ConsentKitOptions.collectFlushInterval] (counts only), on [onBackground] and on [close].
     */
    suspend fun flush(): Unit = onDispatcher {
        sendCounts(throwOnFailure = true)
        callCore { core.flush() }
    }

    /**
     * The full verification of the database, for a periodic background job (e.g. a daily WorkManager task): SQLite's
     * `quick_check`, every ledger row, the head's MAC and the head kept outside the file. It exists because open
     * trusts the authenticated checkpoint and verifies only the rows after it, so an edit to an older row is found
     * here, not at open. Runs on the dispatcher given to [open], never on the caller's thread; it takes tens of ms
     * on large ledgers and blocks this instance's writes meanwhile.
     *
     * Damage found sets the file aside like damage at open: the result is [IntegrityCheck.Recovered], and when this
     * returns [state] already holds the safe default with [ConsentState.recovery] saying why.
     *
     * @throws ConsentKitException.Storage if the database could not be read.
     * @throws ConsentKitException.Closed after [close].
     */
    suspend fun verifyIntegrity(): IntegrityCheck = onDispatcher {
        val check = callCore { core.verifyIntegrity() }
        // A recovery published the fresh state through the observer already; fetching once more keeps "the state
        // is current when this returns" true even if that notification failed.
        publish(callCore { core.status() })
        when (check) {
            is CoreIntegrityCheck.Passed -> IntegrityCheck.Passed(check.rows.toLong(), check.tookMs)
            CoreIntegrityCheck.Recovered -> IntegrityCheck.Recovered
        }
    }

    /**
     * The collection list and the third-party sharing list with the real counts of the access log, for the app's
     * "what we collect and share" screen (PIPL Art. 17; China's collection-list and sharing-list rules). It exists
     * so the screen shows the same facts the core enforces. Pending access counts are sent and written first, so
     * the counts include every collection allowed before the call. Runs on the dispatcher given to [open].
     *
     * @throws ConsentKitException.Storage if the access log could not be read.
     * @throws ConsentKitException.Closed after [close].
     */
    suspend fun transparencyLists(): TransparencyLists = TransparencyJson.lists(transparencyListsJson())

    /**
     * The same lists as [transparencyLists] as the core's JSON document (also the app, policy, filing and rule
     * pack), the one `consentkit lists --format json` prints: for apps that render it on the web or ship it to a
     * server as is.
     */
    suspend fun transparencyListsJson(): String = onDispatcher {
        sendCounts(throwOnFailure = true)
        callCore { core.transparencyListsJson() }
    }

    /**
     * The consent receipts, one per consent given (policy agreements and grants, oldest first), each with what
     * became of it since. It exists so the app can show the user what they agreed to and when, with the ledger row
     * it was made from. Runs on the dispatcher given to [open].
     *
     * @throws ConsentKitException.Storage if the ledger could not be read.
     * @throws ConsentKitException.Closed after [close].
     */
    suspend fun receipts(): List<Receipt> = TransparencyJson.receipts(receiptsJson())

    /**
     * The receipts as the core's JSON document (ISO/IEC TS 27560 fields, plus the ledger's verification and, per
     * purpose, what the user was shown): for handing to the user or a regulator as a file.
     */
    suspend fun receiptsJson(): String = onDispatcher { callCore { core.receiptsJson() } }

    /**
     * Everything ConsentKit holds about the user as one JSON document: the current state, every ledger event, the
     * receipts and the lists with counts. It exists for the user's right of access and copy (PIPL Art. 45): offer
     * it as a download. Pending access counts are written first. Runs on the dispatcher given to [open].
     *
     * @throws ConsentKitException.Storage if the database could not be read.
     * @throws ConsentKitException.Closed after [close].
     */
    suspend fun exportAllJson(): String = onDispatcher {
        sendCounts(throwOnFailure = true)
        callCore { core.exportAllJson() }
    }

    /**
     * Call when the app goes to the background: writes the pending access counts without blocking the caller.
     * On Android, `dev.consentkit.android.AppLifecycleHooks` calls it when the app's last started activity stops.
     */
    fun onBackground() {
        if (closed.get()) return
        lastBackgroundFlush = scope.launch {
            sendCounts()
            runCatching { callCore { core.flush() } }
        }
    }

    /**
     * Tests and demos: moves the manual clock forward by [by] (cooldowns, frequency windows).
     *
     * @throws ConsentKitException.ClockNotManual unless opened with [ConsentKitOptions.manualClockStartMs].
     */
    suspend fun advanceClock(by: Duration): Unit = write { core.advanceClock(by.inWholeMilliseconds) }

    /**
     * Sends the pending access counts, writes them, and closes the database, on the dispatcher given to [open].
     * Every later call fails with [ConsentKitException.Closed]; calling [close] again does nothing. Collections
     * racing with [close] may be dropped.
     *
     * @throws ConsentKitException.Storage if the final write failed.
     */
    suspend fun close(): Unit = withContext(dispatcher) { closeBlocking() }

    /**
     * [close] on the calling thread, for Java and other blocking callers (it writes to disk: not on a UI thread).
     *
     * @throws ConsentKitException.Storage if the final write failed.
     */
    fun closeBlocking() {
        if (!closed.compareAndSet(false, true)) return
        scope.cancel()
        synchronized(publishLock) { mirror = DecisionMirror.CLOSED }
        var failure: ConsentKitException? = null
        try {
            sendCounts(throwOnFailure = true)
        } catch (e: ConsentKitException) {
            failure = e
        }
        try {
            callCore { core.closeCore() }
        } catch (e: ConsentKitException) {
            failure = failure ?: e
        }
        runCatching { core.removeObserver(observerId) }
        core.destroy()
        failure?.let { throw it }
    }

    // ---------------------------------------------------------------- internals

    /** The mirror's version (tests). */
    internal val mirrorVersion: Long get() = mirror.version

    /** The facade's observer (tests: it must never throw). */
    internal val stateObserver: StateObserver get() = observer

    /** Whether the one-shot flush timer is armed (tests: only while counts are pending). */
    internal val flushTimerArmed: Boolean get() = synchronized(timerLock) { flushTimer?.isActive == true }

    /** How many collections this facade has handed to the core with `recordAccess` (tests). */
    internal val collectionsSent: Long get() = countsSent.get()

    /** The job of the last [onBackground] (tests). */
    @Volatile
    internal var lastBackgroundFlush: Job? = null
        private set

    private suspend inline fun <T> onDispatcher(crossinline block: () -> T): T = withContext(dispatcher) {
        ensureOpen()
        closedIfDestroyed { block() }
    }

    /**
     * A [write] the core may refuse for an expected reason: those come back as [WriteResult.Refused]; an invalid
     * argument counts as a stale version only when [document] is set and [version] is not the current one.
     */
    private suspend inline fun refusable(
        document: AgreedDocument? = null,
        version: String = "",
        crossinline block: () -> Unit,
    ): WriteResult =
        try {
            write(block)
            WriteResult.Recorded
        } catch (e: ConsentKitException.GuardianRequired) {
            WriteResult.Refused(WriteRefusal.GuardianRequired(e.age))
        } catch (e: ConsentKitException.SeparateConsentRequired) {
            WriteResult.Refused(WriteRefusal.SeparateConsentRequired(e.purposes))
        } catch (e: ConsentKitException.InvalidArgument) {
            val current = when (document) {
                AgreedDocument.PRIVACY_POLICY -> mutableState.value.policyVersion
                AgreedDocument.CHILDREN_RULES -> childrenRulesVersion
                null -> null
            }
            if (document == null || current == null || current == version) throw e
            WriteResult.Refused(WriteRefusal.StaleVersion(document, version, current))
        }

    /** A durable write, then the mirror and [state] reflect it before this returns. */
    private suspend inline fun write(crossinline block: () -> Unit): Unit = onDispatcher {
        callCore { block() }
        // The core has already told our observer on this thread; fetching once more keeps "a write returns only
        // after the mirror reflects it" true even if that notification failed. publish() ignores older tables.
        publish(callCore { core.status() })
    }

    private fun ensureOpen() {
        if (closed.get()) throw ConsentKitException.Closed()
    }

    /** Calls racing with [close] can find the generated object destroyed: report that as [ConsentKitException.Closed]. */
    private inline fun <T> closedIfDestroyed(block: () -> T): T =
        try {
            block()
        } catch (e: IllegalStateException) {
            if (closed.get()) throw ConsentKitException.Closed(e) else throw e
        }

    /**
     * `pairs.slotOf` for [decide] and [collect], with the first probe done here on this object's copies of the
     * table's keys and shift: one dependent read less, which is about a tenth of `decide`.
     */
    private fun slotOf(purpose: String, dataType: String): Int {
        val keys = pairKeys
        val slot = PairTable.hash(purpose, dataType, pairShift)
        if (keys[2 * slot] === purpose && keys[2 * slot + 1] === dataType) return slot
        return pairs.slotAfter(slot, purpose, dataType)
    }

    /** [collect] with a recipient, an unknown id or after close. */
    private fun collectChecked(purpose: String, dataType: String, recipient: String?): Decision {
        val slot = pairs.slotOf(purpose, dataType)
        if (slot < 0) unknownPair(purpose, dataType)
        val pair = pairs.pairOf(slot)
        var r = -1
        if (recipient != null) {
            r = handles.thirdParty(recipient)
            if (r < 0) unknownId(HandleKind.THIRD_PARTY, recipient)
        }
        val m = mirror
        if (m.closed) throw ConsentKitException.Closed()
        if (r < 0) return collectAt(slot, m)
        val code = m.codes[pair].toInt()
        if (code != 0) return Decision.deniedFor(code)
        return collectInCore(pair, r)
    }

    /** [collect] for the app itself of the pair at [slot] of an open mirror [m]: denied, counted, or asks the core. */
    private fun collectAt(slot: Int, m: DecisionMirror): Decision {
        val pair = pairs.pairOf(slot)
        val code = m.codes[pair].toInt()
        if (code != 0) return Decision.deniedFor(code)
        if (m.limited[pair].toInt() != 0) return collectInCore(pair, -1)
        counted(counters.counterOf(pair))
        return Decision.Allowed
    }

    private fun decideFailed(purpose: String, dataType: String): Nothing {
        if (pairs.slotOf(purpose, dataType) < 0) unknownPair(purpose, dataType)
        throw ConsentKitException.Closed()
    }

    /** Throws the core's UnknownId error for whichever of the two ids is unknown (the purpose first, as the core). */
    private fun unknownPair(purpose: String, dataType: String): Nothing {
        if (handles.purpose(purpose) < 0) unknownId(HandleKind.PURPOSE, purpose)
        unknownId(HandleKind.DATA_TYPE, dataType)
    }

    /** Throws the core's own UnknownId error for an id the handle maps do not know. */
    private fun unknownId(kind: HandleKind, id: String): Nothing {
        ensureOpen()
        closedIfDestroyed { callCore { core.handle(kind, id) } }
        throw ConsentKitException.Unexpected("the core knows $kind \"$id\" but its handle table does not")
    }

    /** Installs the mirror and state of [status] if it is newer than the current one. Called by the observer too. */
    private fun publish(status: ConsentStatus) {
        val next = DecisionMirror.of(status.decisions, handles, counters::counterOf)
        val nextState = status.toPublic()
        synchronized(publishLock) {
            val current = mirror
            if (current.closed || !next.isNewerThan(current)) return
            mirror = next
            mutableState.value = nextState
            scheduleCooldownRefresh(next)
        }
    }

    private fun refreshFromCore() {
        if (closed.get()) return
        runCatching { closedIfDestroyed { publish(callCore { core.status() }) } }
    }

    /** With the device clock: re-fetch the table when the next cooldown ends. Call under [publishLock] (or at init). */
    private fun scheduleCooldownRefresh(m: DecisionMirror) {
        if (manualClock || m.nextChangeMs == cooldownAt) return
        cooldownJob?.cancel()
        cooldownAt = m.nextChangeMs
        cooldownJob = if (m.nextChangeMs == Long.MAX_VALUE) {
            null
        } else {
            scope.launch {
                // delay() runs on a monotonic clock; the core's cooldowns on the wall clock: wait for the latter.
                while (System.currentTimeMillis() < m.nextChangeMs) {
                    delay((m.nextChangeMs - System.currentTimeMillis()).coerceAtLeast(1).milliseconds)
                }
                refreshFromCore()
            }
        }
    }

    /** Frequency-limited pairs and unknown recipients: the core answers (and counts) now. */
    private fun collectInCore(pair: Int, r: Int): Decision {
        val width = handles.dataTypes.size
        val p = pair / width
        val d = pair % width
        val raw = closedIfDestroyed {
            callCore { core.collectCode(p.toUInt(), d.toUInt(), if (r < 0) UInt.MAX_VALUE else r.toUInt()).toLong() }
        }
        val code = (raw and 0xFF).toInt()
        return when (code) {
            0 -> Decision.Allowed
            DenyReason.FREQUENCY_LIMITED.code ->
                Decision.Denied(DenyReason.FREQUENCY_LIMITED, (raw ushr 8).milliseconds)
            CODE_CLOSED -> throw ConsentKitException.Closed()
            CODE_INVALID_HANDLE -> throw ConsentKitException.Unexpected("handle ($p, $d, $r) out of range")
            else -> Decision.deniedFor(code)
        }
    }

    /**
     * Counts one collection on [counter]: arms the flush timer if it is not armed (a plain read of [timerArmed] on
     * the hot path; the lock only when it is not), then sends a full batch (in that order: a send that takes this
     * count then finds the timer armed and disarms it when nothing is left pending).
     */
    private fun counted(counter: Int) {
        val sendNow = counters.add(counter)
        if (!timerArmed) armFlushTimer()
        if (sendNow) requestSend()
    }

    /**
     * Arms the one-shot flush timer unless it is armed: counts wait at most [ConsentKitOptions.collectFlushInterval].
     * Armed by the first count after a send, so an idle app has no timer at all (no periodic wake-ups).
     */
    private fun armFlushTimer() {
        synchronized(timerLock) {
            if (flushTimer != null || closed.get()) return
            flushTimer = launchFlushTimer()
            timerArmed = true
        }
    }

    /** The one-shot timer: sends the pending counts after [ConsentKitOptions.collectFlushInterval]. */
    private fun launchFlushTimer(): Job = scope.launch {
        delay(options.collectFlushInterval)
        sendCounts()
    }

    private fun disarmFlushTimer() {
        synchronized(timerLock) {
            timerArmed = false
            flushTimer?.cancel()
            flushTimer = null
        }
    }

    /**
     * After a send (under [flushLock]): the timer stays (or is armed) if counts are pending, else it is disarmed.
     * While collections go on, the first look finds counts pending and [timerArmed] never flips, so collectors never
     * wait for [timerLock]. Before disarming, [timerArmed] is cleared and the counts looked at again, so a collector
     * that counts after that look sees the flag clear and arms the timer itself. The home thread stores its count
     * and then reads [timerArmed] without a fence: in the instant of a send it may still see the flag set while the
     * look missed its count. That count is never lost (the next drain takes it); the timer is armed again by the
     * home thread's next collection or a later send, and [onBackground], [flush] and [close] write it anyway.
     */
    private fun settleFlushTimer() {
        synchronized(timerLock) {
            if (closed.get()) {
                disarmFlushTimer()
                return
            }
            if (timerArmed && counters.hasPending()) return
            timerArmed = false
            if (counters.hasPending()) {
                if (flushTimer == null) flushTimer = launchFlushTimer()
                timerArmed = true
            } else {
                flushTimer?.cancel()
                flushTimer = null
            }
        }
    }

    private fun requestSend() {
        if (flushQueued.compareAndSet(false, true)) {
            scope.launch {
                flushQueued.set(false)
                sendCounts(batch = true)
            }
        }
    }

    /**
     * Sends the pending counts in one `recordAccess` call; on failure puts them back (and throws if asked).
     *
     * @param batch a full batch of a busy collector: the timer is left armed through the send and disarmed after it
     *   only if nothing is pending by then (collections go on during the send, so re-arming it for the next count
     *   would cost every batch a timer cancelled and a new one started).
     */
    private fun sendCounts(throwOnFailure: Boolean = false, batch: Boolean = false) {
        synchronized(flushLock) {
            // Disarm before draining: a count that lands after this sees the timer disarmed and arms it again, one
            // before it is drained now.
            if (!batch) disarmFlushTimer()
            try {
                val entries = counters.drain()
                if (entries.isEmpty()) return
                try {
                    callCore { core.recordAccess(entries) }
                    countsSent.addAndGet(entries.sumOf { it.count.toLong() })
                } catch (e: ConsentKitException) {
                    counters.restore(entries)
                    if (throwOnFailure) throw e
                }
            } finally {
                settleFlushTimer()
            }
        }
    }

    /** Opening. */
    companion object {
        /** The `source` recorded in the ledger when a write does not name one. */
        const val DEFAULT_SOURCE: String = "app"

        private const val CODE_INVALID_HANDLE = 250
        private const val CODE_CLOSED = 251

        /**
         * Opens (or creates) the consent database at [dbPath] for the app's manifest ([manifestJson], the text of
         * the manifest asset), on [dispatcher] (the database is read: this never blocks the caller). On Android pass
         * a file in `context.noBackupFilesDir`: consent belongs to this device. A damaged database is set aside and
         * a fresh one started on the safe default (see [ConsentState.recovery]). Java callers: [openBlocking].
         *
         * The database is authenticated with a key it does not contain (docs/adr/0007-keyed-integrity.md): pass the
         * platform's key store as [deviceKey] (on Android, `dev.consentkit.android.AndroidKeystoreDeviceKey`).
         * Without one, a key file `<db>.key` and a head file `<db>.head` in [ConsentKitOptions.integrityDir]
         * (default: the database's directory) stand in for it.
         *
         * @param dispatcher where the open itself, the `suspend` writes, background flushes, [verifyIntegrity] and
         *   [close] run.
         * @param deviceKey the platform key store that authenticates the database, or null for the key-file
         *   fallback.
         * @throws ConsentKitException.InvalidManifest with every lint diagnostic if the manifest is refused.
         * @throws ConsentKitException.Storage if the database cannot be opened.
         */
        suspend fun open(
            dbPath: String,
            manifestJson: String,
            options: ConsentKitOptions = ConsentKitOptions(),
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
            deviceKey: DeviceKeyStore? = null,
        ): ConsentKit = withContext(dispatcher) { openBlocking(dbPath, manifestJson, options, dispatcher, deviceKey) }

        /**
         * [open] on the calling thread, for Java and other blocking callers (it reads the database: call it off the
         * UI thread). From Java: `ConsentKit.openBlocking(path, manifestJson)`, then `closeBlocking()`.
         */
        @JvmStatic
        @JvmOverloads
        fun openBlocking(
            dbPath: String,
            manifestJson: String,
            options: ConsentKitOptions = ConsentKitOptions(),
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
            deviceKey: DeviceKeyStore? = null,
        ): ConsentKit {
            val coreOptions = OpenOptions(options.manualClockStartMs, options.coreFlushEvery?.toUInt(), options.integrityDir)
            val core = callCore {
                if (deviceKey == null) {
                    CoreKit.open(dbPath, manifestJson, coreOptions)
                } else {
                    CoreKit.openWithKey(dbPath, manifestJson, coreOptions, DeviceKeyAdapter(deviceKey))
                }
            }
            try {
                return ConsentKit(core, options, dispatcher, callCore { core.status() }, childrenRulesVersion(manifestJson))
            } catch (t: Throwable) {
                runCatching { core.closeCore() }
                core.destroy()
                throw t
            }
        }

        /**
         * The manifest's `children_rules.version` (the core accepted the manifest, so it is valid JSON), or null.
         * Only used to tell a stale version apart in [agreeToChildrenRules]'s refusal; the core decides.
         */
        private fun childrenRulesVersion(manifestJson: String): String? {
            if (!manifestJson.contains("\"children_rules\"")) return null
            val rules = (JsonReader.parse(manifestJson) as? Map<*, *>)?.get("children_rules") as? Map<*, *>
            return rules?.get("version") as? String
        }
    }
}

/**
 * Runs [block] with this instance, then [closes][ConsentKit.close] it (also when [block] throws): the `suspend`
 * counterpart of `AutoCloseable.use`, which ConsentKit is not because its close is `suspend`.
 */
suspend inline fun <R> ConsentKit.use(block: (ConsentKit) -> R): R {
    val result = try {
        block(this)
    } catch (t: Throwable) {
        try {
            close()
        } catch (closing: Throwable) {
            t.addSuppressed(closing)
        }
        throw t
    }
    close()
    return result
}
