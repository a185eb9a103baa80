//! UTC timestamps as text, without a date library: ISO 8601 for machines, a shorter form for people.

/// Splits UTC milliseconds since the epoch into (year, month, day, hour, minute, second, millisecond).
fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = in_day / 1000;
    (year, month, day, (secs / 3600) as u32, (secs / 60 % 60) as u32, (secs % 60) as u32, (in_day % 1000) as u32)
}

/// `2026-11-26T09:00:00Z` (with `.123` when the milliseconds are not zero).
pub fn iso_utc(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    if milli == 0 {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

/// `2026-11-26 09:00 UTC`: for lists people read.
pub fn short_utc(ms: i64) -> String {
    let (y, mo, d, h, mi, ..) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_795_683_600_123), "2026-11-26T09:00:00.123Z");
        assert_eq!(short_utc(1_795_683_600_000), "2026-11-26 09:00 UTC");
        assert_eq!(iso_utc(-1000), "1969-12-31T23:59:59Z");
    }
}
