//! The deterministic randomness: SplitMix64 seeded per (purpose, item).

const SEED: u64 = 0x5EED_2026_0000_0001;

/// SplitMix64: small, fast, and good enough to make data look varied.
pub struct Rng(u64);

impl Rng {
    /// An independent stream per (purpose, item), so each release and
    /// incident can be rebuilt alone and in any order.
    pub fn for_item(stream: u64, item: usize) -> Rng {
        let mut rng = Rng(SEED
            ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (item as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

pub const STREAM_KIND: u64 = 1;
pub const STREAM_LIFE: u64 = 2;
pub const STREAM_PLAN: u64 = 3;
pub const STREAM_INCIDENT: u64 = 4;
