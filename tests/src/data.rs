//! The bytes the load tests send and the checks on what comes back.
//!
//! Every connection sends a window of one shared block of pseudo-random bytes, starting at an
//! offset of its own. The window has no period, so a byte that comes back duplicated, lost,
//! reordered or from another connection makes the comparison with the window fail at that
//! position. Comparisons are slice equality (`memcmp`), fast even in a debug build.

/// xorshift64*: a small, seedable generator (the tests must be reproducible, not secure).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; zero is remapped).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
}

/// The shared block: `len + skew` random bytes.
#[derive(Debug)]
pub struct Pattern {
    bytes: Vec<u8>,
    len: usize,
    skew: usize,
}

impl Pattern {
    /// Streams of `len` bytes, starting at one of `skew` offsets.
    pub fn new(len: usize, skew: usize, seed: u64) -> Pattern {
        let mut rng = Rng::new(seed);
        let mut bytes = Vec::with_capacity(len + skew + 8);
        while bytes.len() < len + skew {
            bytes.extend_from_slice(&rng.next_u64().to_le_bytes());
        }
        bytes.truncate(len + skew);
        Pattern { bytes, len, skew }
    }

    /// The stream of connection `id`: `len` bytes.
    pub fn stream(&self, id: usize) -> &[u8] {
        // 7919 is prime, so neighbouring connections start far apart in the block.
        let start = (id.wrapping_mul(7919)) % self.skew;
        &self.bytes[start..start + self.len]
    }
}

/// Checks bytes arriving on one connection against what it sent.
#[derive(Debug, Default)]
pub struct Checker {
    /// Bytes received and verified so far.
    pub received: usize,
}

impl Checker {
    /// Checks `got`, the next bytes received, against `expected` (the whole stream). Returns
    /// the offset of the first wrong byte, or of the first byte past the end of `expected`.
    pub fn check(&mut self, expected: &[u8], got: &[u8]) -> Result<(), usize> {
        let end = self.received + got.len();
        if end > expected.len() {
            return Err(expected.len());
        }
        if expected[self.received..end] != *got {
            let i = got
                .iter()
                .zip(&expected[self.received..end])
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            return Err(self.received + i);
        }
        self.received = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_finds_a_swap_a_duplicate_and_an_extra_byte() {
        let p = Pattern::new(1000, 64, 1);
        let s = p.stream(3);
        let mut c = Checker::default();
        assert_eq!(c.check(s, &s[..10]), Ok(()));
        // The next bytes duplicated: caught at the first byte that differs.
        let mut dup = s[5..20].to_vec();
        assert!(c.check(s, &dup).is_err());
        dup.copy_from_slice(&s[10..25]);
        assert_eq!(c.check(s, &dup), Ok(()));
        assert_eq!(c.check(s, &s[25..1000]), Ok(()));
        assert_eq!(c.received, 1000);
        assert_eq!(c.check(s, &[0]), Err(1000));
        assert_ne!(p.stream(3), p.stream(4));
    }
}
