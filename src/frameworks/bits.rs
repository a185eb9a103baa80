//! Bit-level reading and writing shared by the TC string and the GPP string: fixed-width big-endian integers,
//! six-bit letters, Fibonacci-coded integers, and the web-safe base64 alphabet (RFC 4648 §5) without padding that
//! both specs use. Kept apart so the two encoders share one tested implementation of each primitive.

use super::FrameworkError;

/// The RFC 4648 §5 alphabet, index = six-bit value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends bits most significant first (both specs number bits left to right, big-endian).
#[derive(Debug, Default, Clone)]
pub struct BitWriter {
    bits: Vec<bool>,
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of bits written so far.
    pub fn len(&self) -> usize {
        self.bits.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// One bit.
    pub fn bool(&mut self, b: bool) {
        self.bits.push(b);
    }

    /// The low `width` bits of `value`, most significant first. Callers check ranges before writing (a value that
    /// does not fit is an encoder bug, caught by the debug assertion and by the round-trip tests).
    pub fn int(&mut self, value: u64, width: u32) {
        debug_assert!(width == 64 || value < (1u64 << width), "{value} does not fit in {width} bits");
        for i in (0..width).rev() {
            self.bits.push((value >> i) & 1 == 1);
        }
    }

    /// Two letters A–Z as six bits each (A = 0), as the TC string writes language and country codes.
    pub fn letters(&mut self, code: &[u8; 2]) {
        for c in code {
            self.int(u64::from(c.to_ascii_uppercase().saturating_sub(b'A')), 6);
        }
    }

    /// A Fibonacci-coded positive integer (GPP: Zeckendorf bits from F(2) upwards, then a closing 1).
    pub fn fibonacci(&mut self, value: u64) {
        debug_assert!(value >= 1, "Fibonacci coding starts at 1");
        let mut fibs = vec![1u64, 2];
        while let Some(&last) = fibs.last() {
            let next = last + fibs[fibs.len() - 2];
            if next > value {
                break;
            }
            fibs.push(next);
        }
        while fibs.last().is_some_and(|&f| f > value) {
            fibs.pop();
        }
        let mut code = vec![false; fibs.len()];
        let mut rest = value;
        for (i, f) in fibs.iter().enumerate().rev() {
            if *f <= rest {
                code[i] = true;
                rest -= f;
            }
        }
        self.bits.extend(code);
        self.bits.push(true);
    }

    /// Bits `1..=n` of a set as a fixed-width field (bit 0 is id 1).
    pub fn bitfield(&mut self, width: usize, has: impl Fn(usize) -> bool) {
        for id in 1..=width {
            self.bits.push(has(id));
        }
    }

    /// Web-safe base64 without padding, the bits zero-padded on the right to `pad_to` bits (8 for the TC string,
    /// whose encoders pad to whole bytes; 6 for GPP sections, as the GPP spec says).
    pub fn to_base64url(&self, pad_to: usize) -> String {
        let mut bits = self.bits.clone();
        while bits.len() % pad_to.max(1) != 0 {
            bits.push(false);
        }
        while bits.len() % 6 != 0 {
            bits.push(false);
        }
        bits.chunks(6)
            .map(|c| ALPHABET[c.iter().fold(0usize, |acc, &b| acc << 1 | usize::from(b))] as char)
            .collect()
    }
}

/// Reads bits in the order [`BitWriter`] writes them; every read past the end is a typed error naming the field.
#[derive(Debug, Clone)]
pub struct BitReader {
    bits: Vec<bool>,
    pos: usize,
}

impl BitReader {
    /// Decodes web-safe base64 (padding `=` tolerated and ignored; standard `+` `/` refused).
    pub fn from_base64url(text: &str) -> Result<Self, FrameworkError> {
        let mut bits = Vec::with_capacity(text.len() * 6);
        for (i, ch) in text.trim_end_matches('=').bytes().enumerate() {
            let v = ALPHABET
                .iter()
                .position(|&a| a == ch)
                .ok_or(FrameworkError::BadCharacter { position: i })?;
            for k in (0..6).rev() {
                bits.push((v >> k) & 1 == 1);
            }
        }
        Ok(Self { bits, pos: 0 })
    }

    /// Bits not yet read.
    pub fn remaining(&self) -> usize {
        self.bits.len() - self.pos
    }

    /// One bit.
    pub fn bool(&mut self, field: &'static str) -> Result<bool, FrameworkError> {
        let b = *self.bits.get(self.pos).ok_or(FrameworkError::Truncated { field })?;
        self.pos += 1;
        Ok(b)
    }

    /// A `width`-bit big-endian integer.
    pub fn int(&mut self, width: u32, field: &'static str) -> Result<u64, FrameworkError> {
        if self.remaining() < width as usize {
            return Err(FrameworkError::Truncated { field });
        }
        let mut v = 0u64;
        for _ in 0..width {
            v = v << 1 | u64::from(self.bits[self.pos]);
            self.pos += 1;
        }
        Ok(v)
    }

    /// Two six-bit letters (A = 0); a value above 25 is refused.
    pub fn letters(&mut self, field: &'static str) -> Result<[u8; 2], FrameworkError> {
        let a = self.int(6, field)?;
        let b = self.int(6, field)?;
        if a > 25 || b > 25 {
            return Err(FrameworkError::OutOfRange { field });
        }
        Ok([b'A' + a as u8, b'A' + b as u8])
    }

    /// A Fibonacci-coded integer (ends at the first two consecutive 1 bits).
    pub fn fibonacci(&mut self, field: &'static str) -> Result<u64, FrameworkError> {
        let (mut a, mut b) = (1u64, 2u64);
        let mut value = 0u64;
        let mut prev = false;
        loop {
            let bit = self.bool(field)?;
            if bit && prev {
                return Ok(value);
            }
            if bit {
                value = value.checked_add(a).ok_or(FrameworkError::OutOfRange { field })?;
            }
            prev = bit;
            let next = a.checked_add(b).ok_or(FrameworkError::OutOfRange { field })?;
            a = b;
            b = next;
        }
    }

    /// A fixed-width bitfield: the ids (from 1) whose bit is set.
    pub fn bitfield(&mut self, width: usize, field: &'static str) -> Result<Vec<u16>, FrameworkError> {
        if self.remaining() < width {
            return Err(FrameworkError::Truncated { field });
        }
        let mut ids = Vec::new();
        for id in 1..=width {
            if self.bits[self.pos] {
                ids.push(id as u16);
            }
            self.pos += 1;
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibonacci_codes_match_the_gpp_table() {
        // The GPP spec's table: 1 → 11, 2 → 011, 3 → 0011, 4 → 1011, 5 → 00011, 6 → 10011, 7 → 01011, 8 → 000011.
        let table = [(1, "11"), (2, "011"), (3, "0011"), (4, "1011"), (5, "00011"), (6, "10011"), (7, "01011"), (8, "000011"), (12, "101011")];
        for (n, code) in table {
            let mut w = BitWriter::new();
            w.fibonacci(n);
            let got: String = w.bits.iter().map(|&b| if b { '1' } else { '0' }).collect();
            assert_eq!(got, code, "{n}");
            let mut r = BitReader { bits: w.bits.clone(), pos: 0 };
            assert_eq!(r.fibonacci("n").unwrap(), n);
        }
    }

    #[test]
    fn base64url_round_trips_and_refuses_foreign_characters() {
        let mut w = BitWriter::new();
        w.int(0b000011, 6);
        w.int(1, 6);
        w.int(0xABC, 12);
        let text = w.to_base64url(6);
        let mut r = BitReader::from_base64url(&text).unwrap();
        assert_eq!(r.int(6, "a").unwrap(), 3);
        assert_eq!(r.int(6, "b").unwrap(), 1);
        assert_eq!(r.int(12, "c").unwrap(), 0xABC);
        assert!(matches!(r.int(1, "d"), Err(FrameworkError::Truncated { field: "d" })));
        assert!(matches!(BitReader::from_base64url("AB+C"), Err(FrameworkError::BadCharacter { position: 2 })));
    }

    #[test]
    fn tc_padding_reaches_whole_bytes() {
        let mut w = BitWriter::new();
        w.int(1, 9);
        // 9 bits → 16 bits (2 bytes) → 18 bits in base64 = 3 characters.
        assert_eq!(w.to_base64url(8).len(), 3);
        assert_eq!(w.to_base64url(6).len(), 2);
    }
}
