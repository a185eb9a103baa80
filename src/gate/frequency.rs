//! Frequency limits: at most `max` collections of a data type per sliding window, per purpose.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::index::Index;

/// One limit and the times of the collections inside its window.
struct Window {
    purpose: u32,
    data_type: u32,
    max: u32,
    window_ms: i64,
    times: Mutex<VecDeque<i64>>,
}

/// Sliding-window counters for every limit of the manifest.
pub struct FrequencyLimiter {
    windows: Vec<Window>,
}

impl FrequencyLimiter {
    /// One window per declared limit.
    pub fn new(index: &Index) -> Self {
        let mut windows = Vec::new();
        for (p, info) in index.purposes.iter().enumerate() {
            for l in &info.limits {
                windows.push(Window {
                    purpose: p as u32,
                    data_type: l.data_type,
                    max: l.max,
                    window_ms: l.window_ms,
                    times: Mutex::new(VecDeque::new()),
                });
            }
        }
        FrequencyLimiter { windows }
    }

    /// Whether the manifest has any limit (lets collect skip the scan).
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// Records a collection at `now` if every limit on (purpose, data type) allows it; otherwise returns how many
    /// ms until one would be allowed and records nothing.
    pub fn try_take(&self, purpose: u32, data_type: u32, now_ms: i64) -> Result<(), i64> {
        let matching = self.windows.iter().filter(|w| w.purpose == purpose && w.data_type == data_type);
        let mut guards = Vec::new();
        let mut wait = 0i64;
        for w in matching {
            let mut q = w.times.lock().unwrap_or_else(|e| e.into_inner());
            while q.front().is_some_and(|&t| t <= now_ms - w.window_ms) {
                q.pop_front();
            }
            if q.len() >= w.max as usize {
                let oldest = q.front().copied().unwrap_or(now_ms);
                wait = wait.max(oldest + w.window_ms - now_ms);
            }
            guards.push(q);
        }
        if wait > 0 {
            return Err(wait);
        }
        for mut q in guards {
            q.push_back(now_ms);
        }
        Ok(())
    }
}
