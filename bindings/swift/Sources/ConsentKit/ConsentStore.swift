import Foundation
internal import ConsentKitGenerated

/// The consent gate of your app: asks before it touches anyone's personal information.
///
/// Open one instance at launch and share it (it is thread-safe). It answers from consent stored on the device:
///
/// ```swift
/// let store = try ConsentStore.open(dbPath: dbURL.path, manifestJSON: manifest, deviceKey: KeychainDeviceKey())
/// if try store.decide(Ids.Purpose.liveLocation, Ids.DataType.location).isAllowed { startLocationUpdates() }
/// let pickup = try store.resolve("pickup")        // strings work too; e.g. "typed_address" when location was refused
/// try await store.grant(Ids.Purpose.liveLocation, source: "pickup_prompt")
/// ```
///
/// Named like Apple's stores of a user's on-device records that an app asks before using (`EKEventStore`,
/// `CNContactStore`, `HKHealthStore`), and not after its module, so that `ConsentKit.Decision` and the other
/// module-qualified names work in an app with types of its own of the same names (docs/adr/0008).
///
/// Which calls wait for what:
/// - Cheap synchronous reads, from memory (never I/O, never waiting for a write in progress): ``decide(_:_:)``,
///   ``resolve(_:)``, ``collect(_:_:recipient:)`` (from the facade's mirror, no call into Rust unless a frequency
///   limit or a recipient needs the core), ``nextPrompt(for:)``, ``status()``, ``mayTransfer(to:for:)``,
///   ``mayInitialize(_:)`` (one call into the core, which answers from its in-memory snapshot), ``currentState``.
/// - `async`, run off the caller (they write SQLite or read the files): every write, ``flush()``,
///   ``didEnterBackground()``, ``close()``, ``refresh()``, ``verifyIntegrity()`` and the transparency lists.
/// - Synchronous and reading the database once: ``open(dbPath:manifestJSON:options:deviceKey:)``; call it at
///   launch, off the main thread if you can.
///
/// ``states`` (one shared `AsyncSequence`), ``ConsentModel`` (`@Observable`, iOS 17) and ``ConsentObject``
/// (`ObservableObject`, iOS 16, Apple platforms) publish every change for SwiftUI.
public final class ConsentStore: Sendable {
    /// The generated UniFFI object (internal: the generated API is never public).
    let core: ConsentKitGenerated.ConsentKit
    let mirror: DecisionMirror
    let hub: StateHub
    let batcher: AccessBatcher
    let clock: FacadeClock
    let cooldown = CooldownTimer()
    /// Writes run here, one at a time, off the caller's thread (SQLite `synchronous=FULL` blocks for a few ms).
    let writes = DispatchQueue(label: "dev.consentkit.writes", qos: .userInitiated)
    private let observerId: UInt64
    private let lifecycle = Lifecycle()
    /// Every consent state, as it changes: one sequence shared by every subscriber (see ``ConsentStates``).
    public let states: ConsentStates

    /// Opens (or creates) the consent database at `dbPath` for the app's manifest.
    ///
    /// Opening reads the database, so call it at launch or off the main thread. A damaged or tampered database is
    /// set aside (never deleted) and a fresh one started on the safe default: nothing granted, every feature on
    /// its basic tier; ``ConsentState/recovery`` says so.
    ///
    /// - Parameters:
    ///   - dbPath: Where the database lives, e.g. in Application Support (ConsentKit never picks a location).
    ///   - manifestJSON: The app's manifest (JSON text), usually a bundle resource.
    ///   - options: Clock and batching options; the defaults suit an app.
    ///   - deviceKey: The platform key store that authenticates the database (``KeychainDeviceKey`` on iOS), so a
    ///     rewritten or rolled-back file is caught at open (docs/adr/0007-keyed-integrity.md). `nil` uses a key
    ///     file `<db>.key` and a head file `<db>.head` in ``OpenOptions/integrityDir`` (default: the database's
    ///     directory) instead.
    /// - Throws: ``ConsentKitError/invalidManifest(detail:path:diagnostics:)`` with every lint diagnostic when
    ///   the manifest is refused, ``ConsentKitError/storage(detail:)`` when the file cannot be opened or the key
    ///   store fails.
    public static func open(
        dbPath: String,
        manifestJSON: String,
        options: OpenOptions = OpenOptions(),
        deviceKey: (any DeviceKeyStore)? = nil
    ) throws -> ConsentStore {
        let core = try mapped {
            if let deviceKey {
                try ConsentKitGenerated.ConsentKit.openWithKey(
                    dbPath: dbPath,
                    manifestJson: manifestJSON,
                    options: options.core,
                    deviceKey: DeviceKeyAdapter(deviceKey)
                )
            } else {
                try ConsentKitGenerated.ConsentKit.open(dbPath: dbPath, manifestJson: manifestJSON, options: options.core)
            }
        }
        return try ConsentStore(core: core, options: options)
    }

    private init(core: ConsentKitGenerated.ConsentKit, options: OpenOptions) throws {
        self.core = core
        let status = try mapped { try core.status() }
        mirror = try DecisionMirror(handles: HandleMaps(mapped { try core.handles() }), table: status.decisions)
        hub = StateHub(initial: ConsentState(status))
        states = ConsentStates(hub: hub)
        batcher = AccessBatcher(
            core: core,
            width: mirror.handles.width,
            cellCount: mirror.cellCount,
            batchSize: options.accessBatchSize,
            interval: options.accessBatchInterval
        )
        clock = FacadeClock(manualStartMs: options.manualClockStart.map(millisecondsSince1970))
        // The core calls the observer at once with the current state, then after every change.
        let observer = MirrorObserver(mirror: mirror, hub: hub)
        observerId = try mapped { try core.addObserver(observer: observer) }
        scheduleCooldownRefresh()
    }

    deinit {
        // Nothing can await here: the last reference is gone, so write what is pending on this thread.
        try? closeBlocking()
    }

    /// ``close()`` on the calling thread (for `deinit`, and tests that cannot await).
    func closeBlocking() throws {
        guard beginClose() else { return }
        defer { hub.finish() }
        try batcher.sendNow { try mapped { try core.close() } }
    }

    /// Sends pending access counts, writes them, and closes the database, off the caller's thread. Every later
    /// call throws ``ConsentKitError/closed`` and iterations of ``states`` finish. Calling it again does nothing.
    ///
    /// Collections that race with `close()` on other threads may not be counted.
    public func close() async throws {
        guard beginClose() else { return }
        defer { hub.finish() }
        try await batcher.sendNow { [core] in try mapped { try core.close() } }
    }

    /// Marks the store closed and stops what reads and timers use; returns whether this call did it.
    private func beginClose() -> Bool {
        guard lifecycle.close() else { return false }
        cooldown.cancel()
        mirror.close()
        try? core.removeObserver(id: observerId)
        return true
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { lifecycle.isClosed }

    // MARK: Mirror upkeep

    /// After a write: fetch the core's table and publish it if it is not older than the mirror's. The observer has
    /// usually published it already; this makes "the write returned, so reads see it" independent of observers.
    func syncMirror() throws {
        let table = try core.decisionTable()
        mirror.publish(table)
        scheduleCooldownRefresh()
    }

    /// A time-based answer changed (a cooldown ended): fetch the state and table again and publish both.
    func refreshAfterCooldown() {
        guard !lifecycle.isClosed, let status = try? core.status() else { return }
        mirror.publish(status.decisions)
        hub.publish(ConsentState(status))
        scheduleCooldownRefresh()
    }

    /// Arms the wall-clock timer for the mirror's `nextChangeMs` (system clock only; `advanceClock` handles the
    /// manual clock).
    func scheduleCooldownRefresh() {
        guard !clock.isManual else { return }
        cooldown.schedule(at: mirror.currentVersion.nextChangeMs) { [weak self] in
            self?.refreshAfterCooldown()
        }
    }

    /// Throws ``ConsentKitError/closed`` after ``close()``.
    func checkOpen() throws {
        if lifecycle.isClosed { throw ConsentKitError.closed }
    }
}

/// The open/closed flag.
final class Lifecycle: @unchecked Sendable {
    private let lock = NSLock()
    private var closed = false

    var isClosed: Bool { lock.locked { closed } }

    /// Marks closed; returns whether this call did it.
    func close() -> Bool {
        lock.locked {
            defer { closed = true }
            return !closed
        }
    }
}
