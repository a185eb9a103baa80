package dev.consentkit

import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * How [ConsentKit.open] sets up an instance. The defaults suit an app; tests set [manualClockStartMs].
 */
data class ConsentKitOptions(
    /**
     * Tests and demos: run on a manual clock starting at this time (UTC ms), moved only by
     * [ConsentKit.advanceClock]. Null (the default) uses the device clock.
     */
    val manualClockStartMs: Long? = null,
    /** The core writes its access-log counts to SQLite after this many collections (null: the core's 4096). */
    val coreFlushEvery: Int? = null,
    /**
     * [ConsentKit.collect] counts allowed collections in memory and sends them to the core in one call once any
     * (purpose, data type, recipient) reaches this many (counted per thread for the first thread that collects,
     * which keeps counts of its own). The default matches the core's own write batch (4096), so a busy per-frame
     * collector crosses the boundary about once per 4096 events; the interval below bounds how stale the access log
     * gets when collection is slow.
     */
    val collectBatchSize: Int = 4096,
    /** ... and at least this often (also on [ConsentKit.flush], [ConsentKit.onBackground] and close). */
    val collectFlushInterval: Duration = 30.seconds,
    /**
     * Where the key file and head file that authenticate the database live when [ConsentKit.open] gets no
     * [DeviceKeyStore] (null: the database's directory). Keep it out of backups (on Android, under
     * `noBackupFilesDir`): a backup that restores them with an older database defeats rollback detection.
     * Ignored when a [DeviceKeyStore] is given.
     */
    val integrityDir: String? = null,
) {
    init {
        require(collectBatchSize >= 1) { "collectBatchSize must be at least 1" }
        require(collectFlushInterval.isPositive()) { "collectFlushInterval must be positive" }
        require(coreFlushEvery == null || coreFlushEvery >= 1) { "coreFlushEvery must be at least 1" }
    }
}
