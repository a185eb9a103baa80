import Foundation

/// How ``ConsentStore/open(dbPath:manifestJSON:options:)`` opens the consent database.
public struct OpenOptions: Sendable, Hashable {
    /// Tests, previews and demos: run on a manual clock that starts at this date and only moves with
    /// ``ConsentStore/advanceClock(by:)``. `nil` (the default) uses the system clock.
    public var manualClockStart: Date?
    /// How many collections one (purpose, data type) pair may count in memory before the facade sends them to
    /// the core's access log. The facade also sends them ``accessBatchInterval`` after the first one, on
    /// ``ConsentStore/flush()``, on ``ConsentStore/didEnterBackground()`` and on ``ConsentStore/close()``.
    public var accessBatchSize: Int
    /// The longest time a counted collection waits in memory before the facade sends it to the core (seconds).
    public var accessBatchInterval: TimeInterval
    /// How many access counts the core keeps in memory before it writes them to the database (default 4096); it
    /// also writes them on ``ConsentStore/flush()``, at each hour boundary and on close. `nil` keeps the default.
    public var coreFlushEvery: UInt32?
    /// Where the key file and the head file that authenticate the database live when ``ConsentStore`` is opened
    /// without a ``DeviceKeyStore`` (`nil`: the database's directory). Keep it out of backups (mark it
    /// `isExcludedFromBackup`): a backup that restores them with an older database defeats rollback detection.
    /// Ignored when a ``DeviceKeyStore`` is given.
    public var integrityDir: String?

    /// Creates options; every parameter has a sensible default for an app.
    public init(
        manualClockStart: Date? = nil,
        accessBatchSize: Int = 1024,
        accessBatchInterval: TimeInterval = 5,
        coreFlushEvery: UInt32? = nil,
        integrityDir: String? = nil
    ) {
        self.manualClockStart = manualClockStart
        self.accessBatchSize = accessBatchSize
        self.accessBatchInterval = accessBatchInterval
        self.coreFlushEvery = coreFlushEvery
        self.integrityDir = integrityDir
    }
}
