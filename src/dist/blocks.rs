//! Draws from a distribution made ahead in blocks, for the engine's per-message latencies.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use super::{Sampler, secs_to_us};

/// Draws in whole microseconds from one distribution and a stream of its own, made ahead in blocks: the same
/// values in the same order as drawing one at a time (nothing else uses the stream), at a fraction of the cost.
/// The engine draws a latency per message, and one draw at a time in the event loop was a large share of a
/// flood's run time (docs/performance.md); in a tight loop the sampler's code and tables stay hot and independent
/// draws overlap in the processor.
///
/// With a tick (`network.latency_tick`), every draw is rounded to the nearest whole number of ticks, at least
/// one.
pub struct BlockDraws<R> {
    sampler: Sampler,
    rng: R,
    block: Box<[u64]>,
    next: usize,
    /// Clock tick in microseconds; 1 = the engine's own microsecond clock (no further rounding).
    tick_us: u64,
}

/// Division by a fixed divisor as a multiplication: the compiler cannot strength-reduce a divisor known only at
/// run time, and a 64-bit `div` per draw is measurable in the event loop (docs/performance.md).
#[derive(Clone, Copy, Debug)]
struct DivBy {
    d: u64,
    /// floor(2^64 / d) + 1.
    m: u64,
}

impl DivBy {
    /// For 2 <= d <= 2^32.
    fn new(d: u64) -> DivBy {
        debug_assert!((2..=1 << 32).contains(&d));
        DivBy {
            d,
            m: (u64::MAX / d) + 1,
        }
    }

    /// floor(x / d). Exact for x < 2^32: x m / 2^64 = x / d + x e / (d 2^64) with m d = 2^64 + e, 0 < e <= d, so
    /// the excess is under 2^-32 <= 1/d, too little to carry the fraction of x / d (at most 1 - 1/d) past the next
    /// integer. Larger x (latencies over 71 minutes) divide.
    #[inline]
    fn quotient(self, x: u64) -> u64 {
        if x < 1 << 32 {
            ((u128::from(x) * u128::from(self.m)) >> 64) as u64
        } else {
            x / self.d
        }
    }

    /// Rounds a duration in whole microseconds to the nearest whole number of ticks of `d` microseconds (halves
    /// up), and to at least one tick: a PeerSim-style integer clock, where a message never arrives in the instant
    /// it was sent.
    #[inline]
    fn round_to_ticks(self, us: u64) -> u64 {
        self.quotient(us + self.d / 2).max(1) * self.d
    }
}

/// Draws per block: small enough to stay in L1 cache.
const BLOCK: usize = 512;

impl<R: Rng + Clone> BlockDraws<R> {
    pub fn new(sampler: Sampler, rng: R) -> BlockDraws<R> {
        BlockDraws {
            sampler,
            rng,
            block: vec![0; BLOCK].into_boxed_slice(),
            next: BLOCK,
            tick_us: 1,
        }
    }

    /// The same draws rounded to whole ticks of `tick_us` microseconds (at least one); 1 changes nothing.
    pub fn with_tick(mut self, tick_us: u64) -> BlockDraws<R> {
        self.tick_us = tick_us.max(1);
        self
    }

    /// The next draw, microseconds.
    #[inline]
    pub fn next_us(&mut self) -> u64 {
        if self.next == self.block.len() {
            self.refill();
        }
        let x = self.block[self.next];
        self.next += 1;
        x
    }

    /// The draw `k` places after the next one, if it is made already (a hint: the next draws are known ahead).
    #[inline]
    pub fn peek_us(&self, k: usize) -> Option<u64> {
        self.block.get(self.next + k).copied()
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        // The generator's state is copied into a local for the loops (kept in registers): drawn through
        // `&mut self`, it was stored back to memory on every draw (measured).
        let mut local = self.rng.clone();
        let (sampler, rng) = (&self.sampler, &mut local);
        match sampler {
            // A log-normal draw is exp(mu + sigma z) for a standard normal z (`LogNormal::sample` is exactly
            // `from_zscore` of one): all the z first, then all the exp, each loop tight.
            Sampler::LogNormal(d) => {
                let mut z = [0f64; BLOCK];
                for z in z.iter_mut() {
                    *z = rng.sample(StandardNormal);
                }
                for (x, z) in self.block.iter_mut().zip(z) {
                    *x = secs_to_us(d.from_zscore(z));
                }
            }
            // The same expression as `Sampler::sample`, in a loop of its own.
            &Sampler::Uniform(min, width) => {
                for x in self.block.iter_mut() {
                    *x = secs_to_us(min + width * rng.random::<f64>());
                }
            }
            _ => {
                for x in self.block.iter_mut() {
                    *x = sampler.sample_us(rng);
                }
            }
        }
        self.rng = local;
        let tick = self.tick_us;
        if tick > 1 {
            let ticks = DivBy::new(tick);
            for x in self.block.iter_mut() {
                *x = ticks.round_to_ticks(*x);
            }
        }
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    #[test]
    fn block_draws_equal_draws_one_at_a_time() {
        // Exact equality over several blocks: drawing ahead must not change a single value of a run. Log-normal
        // and uniform have loops of their own; exponential takes the general one.
        let dists = [
            Dist::LogNormal {
                median: 0.05,
                sigma: 0.5,
            },
            Dist::Uniform {
                min: 0.01,
                max: 0.1,
            },
            Dist::Exponential { mean: 0.05 },
        ];
        for d in dists {
            let stream = || crate::rng::stream(3, crate::rng::Stream::Latency);
            let mut one = stream();
            let sampler = d.sampler();
            let mut block = BlockDraws::new(sampler, stream());
            for i in 0..3 * BLOCK + 7 {
                assert_eq!(
                    block.next_us(),
                    sampler.sample_us(&mut one),
                    "{d:?} draw {i}"
                );
            }
        }
    }

    #[test]
    fn ticks_round_to_nearest_and_at_least_one() {
        // A 1 ms tick: 1499 us is 1 tick, 1500 us (a half) rounds up to 2, 0 and 1 us become one tick.
        let ms = DivBy::new(1_000);
        assert_eq!(ms.round_to_ticks(1_499), 1_000);
        assert_eq!(ms.round_to_ticks(1_500), 2_000);
        assert_eq!(ms.round_to_ticks(49_999), 50_000);
        assert_eq!(ms.round_to_ticks(0), 1_000);
        assert_eq!(ms.round_to_ticks(1), 1_000);
        assert_eq!(DivBy::new(7).round_to_ticks(10), 7);
        assert_eq!(DivBy::new(7).round_to_ticks(11), 14);
    }

    #[test]
    fn division_by_multiplication_is_exact() {
        // Against `/` at the edges of every quotient (multiples of d, one below, one above) for divisors up to
        // 2^32, and at random points; then past 2^32 where it divides.
        let mut rng = crate::rng::stream(9, crate::rng::Stream::Latency);
        let divisors = [
            2,
            3,
            7,
            10,
            999,
            1_000,
            1_024,
            65_537,
            1_000_000,
            3_600_000_000,
            (1 << 32) - 1,
            1 << 32,
        ];
        for d in divisors {
            let div = DivBy::new(d);
            for q in [0, 1, 2, 1_000, ((1u64 << 32) - 1) / d] {
                for x in [q * d, (q * d).saturating_sub(1), q * d + 1, q * d + d - 1] {
                    if x < 1 << 32 {
                        assert_eq!(div.quotient(x), x / d, "{x} / {d}");
                    }
                }
            }
            for _ in 0..100_000 {
                let x = rng.random::<u64>() >> 32;
                assert_eq!(div.quotient(x), x / d, "{x} / {d}");
            }
            for x in [1 << 32, (1 << 32) + 5, u64::MAX / 2] {
                assert_eq!(div.quotient(x), x / d, "{x} / {d}");
            }
        }
    }

    #[test]
    fn ticked_block_draws_are_the_draws_rounded() {
        // The tick only rounds: the k-th ticked draw is the k-th plain draw rounded to whole milliseconds.
        let d = Dist::Uniform { min: 0.0, max: 0.1 };
        let stream = || crate::rng::stream(5, crate::rng::Stream::Latency);
        let mut plain = BlockDraws::new(d.sampler(), stream());
        let mut ticked = BlockDraws::new(d.sampler(), stream()).with_tick(1_000);
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..2 * BLOCK + 3 {
            let (p, t) = (plain.next_us(), ticked.next_us());
            assert_eq!(t % 1_000, 0, "draw {i}: {t} us is not whole milliseconds");
            if p < 500 {
                assert_eq!(t, 1_000, "draw {i}: under half a tick is one tick");
            } else {
                assert!(
                    t.abs_diff(p) <= 500,
                    "draw {i}: {p} us -> {t} us is not the nearest ms"
                );
            }
            seen.insert(t / 1_000);
        }
        // U(0, 100 ms) to the nearest ms covers 1..=100 ms (under 0.5 ms becomes 1). The rarest value, 100 ms,
        // has probability 1/200 per draw, so it is missing from 1027 draws with probability under 0.6 %; the seed
        // is fixed, so this does not flicker.
        assert_eq!(seen.len(), 100);
        assert_eq!((seen.first(), seen.last()), (Some(&1), Some(&100)));
    }
}
