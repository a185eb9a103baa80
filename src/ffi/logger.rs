//! Forwards the core's `log` records to the app's logger (Logcat, os_log...). Records carry no personal data.

use std::sync::Arc;

use once_cell::sync::OnceCell;

/// Log levels, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something unexpected that was handled (e.g. a recovery).
    Warn,
    /// Notable events.
    Info,
    /// Details for debugging.
    Debug,
    /// Everything.
    Trace,
}

/// The app's logger.
#[uniffi::export(with_foreign)]
pub trait ForeignLogger: Send + Sync {
    /// One record.
    fn log(&self, level: LogLevel, target: String, message: String);
}

struct Bridge(Arc<dyn ForeignLogger>);

static LOGGER: OnceCell<Bridge> = OnceCell::new();

impl log::Log for Bridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let level = match record.level() {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        };
        self.0.log(level, record.target().to_string(), record.args().to_string());
    }
    fn flush(&self) {}
}

/// Installs the app's logger for the process (once; later calls only change the level). Returns whether this
/// call installed it.
#[uniffi::export]
pub fn set_logger(logger: Arc<dyn ForeignLogger>, max_level: LogLevel) -> bool {
    let filter = match max_level {
        LogLevel::Error => log::LevelFilter::Error,
        LogLevel::Warn => log::LevelFilter::Warn,
        LogLevel::Info => log::LevelFilter::Info,
        LogLevel::Debug => log::LevelFilter::Debug,
        LogLevel::Trace => log::LevelFilter::Trace,
    };
    let installed = LOGGER.set(Bridge(logger)).is_ok()
        && LOGGER.get().is_some_and(|b| log::set_logger(b).is_ok());
    log::set_max_level(filter);
    installed
}
